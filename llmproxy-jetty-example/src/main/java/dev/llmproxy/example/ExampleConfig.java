package dev.llmproxy.example;

import dev.llmproxy.core.Tiers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The example's configuration, read from {@code LLMPROXY_*} environment variables (the table is in
 * README.md).
 *
 * @param host the HTTP server's bind address or host name ({@code localhost}: loopback only)
 * @param port HTTP port; 0 picks a free one
 * @param dataDir where tokens, keys, the keyset, the admin token and the audit log live
 * @param adminToken the admin bearer, or empty to load/generate one in {@code dataDir}
 * @param anthropicBaseUrl Anthropic upstream
 * @param openaiBaseUrl OpenAI upstream
 * @param anthropicApiKey shared Anthropic key
 * @param openaiApiKey shared OpenAI key
 * @param claudeCredentials a Claude Code credentials file to use as the shared Anthropic login
 * @param masterKeyset the Tink keyset JSON, or empty to load/generate {@code master-keyset.json}
 * @param maxBodyBytes request body limit
 * @param tiers request-rate limits per tier
 * @param defaultTier tier of tokens issued without one
 * @param maxConcurrent exchanges in flight before the proxy answers overloaded
 * @param upstreamIdleTimeout longest upstream silence tolerated
 * @param compatibleUpstreams OpenAI-compatible upstreams served under their own routes
 * @param injectOpenAiStreamUsage whether streaming OpenAI chat requests get include_usage
 * @param jdbcUrl the database for tokens, keys and the ledger; empty for H2 in the data dir
 * @param jdbcUser its user
 * @param jdbcPassword its password
 * @param shutdownDrain how long exchanges in flight may finish after SIGTERM before they are cut
 * @param nonBlockingRelay whether exchanges wait and relay without holding a thread ({@code
 *     LLMPROXY_RELAY=nonblocking}: Jetty's HttpClient upstream) or on one ({@code blocking}:
 *     OkHttp)
 * @param watchClientDisconnects whether a client closing its connection before the answer starts
 *     cancels the upstream at once
 * @param budgetZone the zone whose midnights start daily, weekly and monthly budget periods
 * @param teams the caps of the teams issued tokens may name
 * @param holdLease how long the budget holds of an instance that died stay before another instance
 *     (sharing the database) reclaims them
 * @param pools upstream pools from {@code LLMPROXY_POOLS_FILE}; each replaces its provider's shared
 *     key
 */
record ExampleConfig(
    String host,
    int port,
    Path dataDir,
    Optional<String> adminToken,
    String anthropicBaseUrl,
    String openaiBaseUrl,
    Optional<String> anthropicApiKey,
    Optional<String> openaiApiKey,
    Optional<Path> claudeCredentials,
    Optional<String> masterKeyset,
    long maxBodyBytes,
    Tiers tiers,
    String defaultTier,
    int maxConcurrent,
    Duration upstreamIdleTimeout,
    List<UpstreamsConfig.Upstream> compatibleUpstreams,
    boolean injectOpenAiStreamUsage,
    Optional<String> jdbcUrl,
    Optional<String> jdbcUser,
    Optional<String> jdbcPassword,
    Duration shutdownDrain,
    boolean watchClientDisconnects,
    Duration holdLease,
    java.time.ZoneId budgetZone,
    List<dev.llmproxy.api.TeamBudget> teams,
    List<dev.llmproxy.core.pools.UpstreamPool> pools,
    boolean nonBlockingRelay) {

  /** Reads the configuration from {@code env}; throws naming the variable if one is invalid. */
  static ExampleConfig fromEnvironment(Map<String, String> env) {
    Tiers tiers =
        TierRates.parse(
            env.get("LLMPROXY_TIER_RATES"),
            env.get("LLMPROXY_TIER_MODELS"),
            env.get("LLMPROXY_TIER_TOKEN_RATES"));
    String defaultTier = env.getOrDefault("LLMPROXY_DEFAULT_TIER", "free").trim();
    if (!tiers.names().contains(defaultTier)) {
      throw new IllegalArgumentException(
          "LLMPROXY_DEFAULT_TIER '" + defaultTier + "' is not a configured tier " + tiers.names());
    }
    List<UpstreamsConfig.Upstream> compatible = UpstreamsConfig.fromEnvironment(env);
    java.util.Set<dev.llmproxy.api.ProviderId> providers =
        new java.util.HashSet<>(
            List.of(dev.llmproxy.api.ProviderId.ANTHROPIC, dev.llmproxy.api.ProviderId.OPENAI));
    compatible.forEach(u -> providers.add(u.upstream().name()));
    return new ExampleConfig(
        nonBlank(env, "LLMPROXY_HOST").orElse("localhost"),
        (int) number(env, "LLMPROXY_PORT", 8080, 0, 65535),
        Path.of(env.getOrDefault("LLMPROXY_DATA_DIR", "./llmproxy-data")),
        nonBlank(env, "LLMPROXY_ADMIN_TOKEN"),
        env.getOrDefault("LLMPROXY_ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
        env.getOrDefault("LLMPROXY_OPENAI_BASE_URL", "https://api.openai.com"),
        nonBlank(env, "LLMPROXY_ANTHROPIC_API_KEY"),
        nonBlank(env, "LLMPROXY_OPENAI_API_KEY"),
        nonBlank(env, "LLMPROXY_CLAUDE_CREDENTIALS").map(Path::of),
        nonBlank(env, "LLMPROXY_MASTER_KEYSET"),
        number(env, "LLMPROXY_MAX_BODY_BYTES", 33_554_432L, 0, Integer.MAX_VALUE - 16),
        tiers,
        defaultTier,
        (int) number(env, "LLMPROXY_MAX_CONCURRENT", 10_000, 1, Integer.MAX_VALUE),
        Duration.ofSeconds(number(env, "LLMPROXY_UPSTREAM_IDLE_TIMEOUT_SECONDS", 600, 1, 86_400)),
        compatible,
        Boolean.parseBoolean(
            env.getOrDefault("LLMPROXY_OPENAI_INJECT_STREAM_USAGE", "false").trim()),
        nonBlank(env, "LLMPROXY_JDBC_URL"),
        nonBlank(env, "LLMPROXY_JDBC_USER"),
        nonBlank(env, "LLMPROXY_JDBC_PASSWORD"),
        Duration.ofSeconds(number(env, "LLMPROXY_SHUTDOWN_DRAIN_SECONDS", 30, 0, 3_600)),
        Boolean.parseBoolean(env.getOrDefault("LLMPROXY_WATCH_CLIENT_DISCONNECTS", "true").trim()),
        Duration.ofSeconds(number(env, "LLMPROXY_HOLD_LEASE_SECONDS", 60, 30, 86_400)),
        zone(env.getOrDefault("LLMPROXY_BUDGET_ZONE", "UTC")),
        TeamBudgets.parse(env.get("LLMPROXY_TEAM_BUDGETS")),
        PoolsConfig.fromEnvironment(env, providers),
        relay(env.getOrDefault("LLMPROXY_RELAY", DEFAULT_RELAY)));
  }

  /** {@code LLMPROXY_RELAY}'s default. */
  static final String DEFAULT_RELAY = "nonblocking";

  private static boolean relay(String value) {
    return switch (value.trim()) {
      case "nonblocking" -> true;
      case "blocking" -> false;
      default ->
          throw new IllegalArgumentException(
              "LLMPROXY_RELAY must be 'blocking' or 'nonblocking', not '" + value.trim() + "'");
    };
  }

  /** Whether a pool serves {@code provider}, in place of its shared key. */
  boolean pooled(dev.llmproxy.api.ProviderId provider) {
    return pools.stream().anyMatch(pool -> pool.provider().equals(provider));
  }

  /** This configuration pointed at another Anthropic upstream with another shared key. */
  ExampleConfig withAnthropic(String baseUrl, String apiKey) {
    return new ExampleConfig(
        host,
        port,
        dataDir,
        adminToken,
        baseUrl,
        openaiBaseUrl,
        Optional.of(apiKey),
        openaiApiKey,
        claudeCredentials,
        masterKeyset,
        maxBodyBytes,
        tiers,
        defaultTier,
        maxConcurrent,
        upstreamIdleTimeout,
        compatibleUpstreams,
        injectOpenAiStreamUsage,
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        shutdownDrain,
        watchClientDisconnects,
        holdLease,
        budgetZone,
        teams,
        pools,
        nonBlockingRelay);
  }

  private static java.time.ZoneId zone(String text) {
    try {
      return java.time.ZoneId.of(text.trim());
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException(
          "LLMPROXY_BUDGET_ZONE '" + text + "' is not a time zone, e.g. UTC or Europe/Berlin");
    }
  }

  /** Secrets (admin token, shared keys, keyset) are shown only as present or absent. */
  @Override
  public String toString() {
    return "ExampleConfig[host="
        + host
        + ", port="
        + port
        + ", dataDir="
        + dataDir
        + ", adminToken="
        + (adminToken.isPresent() ? "set" : "generated")
        + ", anthropicBaseUrl="
        + anthropicBaseUrl
        + ", openaiBaseUrl="
        + openaiBaseUrl
        + ", anthropicApiKey="
        + (anthropicApiKey.isPresent() ? "set" : "unset")
        + ", openaiApiKey="
        + (openaiApiKey.isPresent() ? "set" : "unset")
        + ", claudeCredentials="
        + claudeCredentials.orElse(null)
        + ", masterKeyset="
        + (masterKeyset.isPresent() ? "set" : "file")
        + ", tiers="
        + tiers
        + ", upstreams="
        + compatibleUpstreams
        + ", jdbc="
        + (jdbcUrl.isPresent() ? "set" : "embedded H2")
        + ", pools="
        + pools
        + "]";
  }

  private static Optional<String> nonBlank(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static long number(
      Map<String, String> env, String name, long fallback, long min, long max) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
    }
    if (parsed < min || parsed > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
    }
    return parsed;
  }
}
