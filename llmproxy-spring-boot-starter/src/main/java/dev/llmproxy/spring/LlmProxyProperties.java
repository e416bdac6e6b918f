package dev.llmproxy.spring;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code llmproxy.*} properties.
 *
 * @param enabled whether to build the proxy and register its filter
 * @param mountPath where the proxy routes live: {@code {mountPath}/{provider}/...}
 * @param filterOrder the filter's order among the servlet filters; the default runs it before
 *     Spring Security and before every filter that reads or wraps the request body, so proxied
 *     requests are authenticated by the proxy's own tokens and their answers are neither buffered
 *     nor rewritten by the filters after it
 * @param anthropic the Anthropic upstream
 * @param openai the OpenAI upstream
 * @param maxRequestBody the largest accepted request body (larger: 413)
 * @param maxConcurrent exchanges in flight before the proxy answers overloaded (529; OpenAI 503)
 * @param connectTimeout how long to wait for a connection to the upstream
 * @param idleTimeout the longest silence tolerated from the upstream while it answers
 * @param shutdownDrain on shutdown, how long streams in flight may finish before they are cut
 * @param tiers request rates (per minute, 0 = unlimited) and allowed models per tier, merged over
 *     the defaults {@code free} 20, {@code hobby} 60, {@code pro} 300, {@code enterprise} 1000; a
 *     principal's tier must be one of them or it is refused 403 {@code tier_denied}
 * @param budgetZone the time zone whose midnights start daily, weekly and monthly budget periods
 * @param pools upstream pools (docs/pools.md): several accounts of one provider with failover,
 *     rest, affinity and model aliases; a pool replaces the provider's {@code api-key}
 * @param prices list prices (USD per million tokens) by model name or pattern, over the built-in
 *     ones; in properties files a pattern with {@code *} needs brackets: {@code
 *     llmproxy.prices[claude-*].input=3}
 */
@ConfigurationProperties("llmproxy")
public record LlmProxyProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("/proxy") String mountPath,
    @DefaultValue("" + LlmProxyProperties.DEFAULT_FILTER_ORDER) int filterOrder,
    @DefaultValue Upstream anthropic,
    @DefaultValue Upstream openai,
    @DefaultValue("32MB") DataSize maxRequestBody,
    @DefaultValue("10000") int maxConcurrent,
    @DefaultValue("10s") Duration connectTimeout,
    @DefaultValue("10m") Duration idleTimeout,
    @DefaultValue("30s") Duration shutdownDrain,
    Map<String, Tier> tiers,
    @DefaultValue("UTC") String budgetZone,
    List<Pool> pools,
    Map<String, Price> prices) {

  /**
   * The filter's default order: after Spring's character-encoding and server-observation filters,
   * before its hidden-method (-10000) and form-content (-9900) filters, which read form bodies, and
   * before Spring Security's chain (-100).
   */
  public static final int DEFAULT_FILTER_ORDER = -10_100;

  public LlmProxyProperties {
    tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
    prices = prices == null ? Map.of() : Map.copyOf(prices);
    pools = pools == null ? List.of() : List.copyOf(pools);
  }

  /**
   * An upstream pool.
   *
   * @param provider the provider it serves, e.g. {@code anthropic}
   * @param strategy {@code round-robin} (default), {@code least-in-flight}, {@code fill-first} or
   *     {@code weighted}
   * @param retryOn statuses that move a request to the next member; default 429, 529, 500, 502,
   *     503, 504
   * @param maxTries tries at most per request; default 3
   * @param deadline no try starts after this long; default 30 s
   * @param cooldown how long a member rests after a 429/529 without a reset time; default 60 s
   * @param affinityHeader a request header whose value keeps a conversation on one member
   * @param aliases model aliases, e.g. {@code fast: claude-haiku-4-5}
   * @param members the pool's members, in order
   */
  public record Pool(
      String provider,
      String strategy,
      Set<Integer> retryOn,
      Integer maxTries,
      Duration deadline,
      Duration cooldown,
      String affinityHeader,
      Map<String, String> aliases,
      List<Member> members) {
    public Pool {
      retryOn = retryOn == null ? Set.of() : Set.copyOf(retryOn);
      aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
      members = members == null ? List.of() : List.copyOf(members);
    }
  }

  /**
   * A member of a pool: one upstream account.
   *
   * @param id its name in events, logs and metrics; never a secret
   * @param apiKey its API key, or
   * @param claudeCredentials the path of a Claude Code {@code .credentials.json}
   * @param baseUrl its own base URL; default the provider's
   * @param weight its share under the {@code weighted} strategy; default 1
   */
  public record Member(
      String id, String apiKey, String claudeCredentials, String baseUrl, Integer weight) {
    /** Never prints the key. */
    @Override
    public String toString() {
      return "Member[id=" + id + ", apiKey=" + (apiKey == null ? "unset" : "set") + "]";
    }
  }

  /**
   * One upstream provider.
   *
   * @param baseUrl where to forward; default the provider's public API
   * @param apiKey the organisation's shared key, used for principals the application's {@link
   *     dev.llmproxy.api.CredentialStore} (if any) has no key for
   */
  public record Upstream(String baseUrl, String apiKey) {
    /** Never prints the key. */
    @Override
    public String toString() {
      return "Upstream[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "unset" : "set") + "]";
    }
  }

  /**
   * One tier.
   *
   * @param rate requests per minute, 0 for no rate limit; unset keeps the default tier's (0 for a
   *     new tier)
   * @param models model patterns the tier may use, e.g. {@code claude-haiku-*}; empty for any
   * @param tokenRate input plus output tokens per minute for each token of the tier; unset or 0 for
   *     no token rate limit
   */
  public record Tier(Integer rate, List<String> models, Long tokenRate) {
    public Tier {
      models = models == null ? List.of() : List.copyOf(models);
    }
  }

  /**
   * A model's list price in USD per million tokens.
   *
   * @param input per million input tokens
   * @param output per million output tokens
   * @param cacheWrite per million cache-write tokens; default the input price
   * @param cacheRead per million cache-read tokens; default the input price
   */
  public record Price(
      BigDecimal input, BigDecimal output, BigDecimal cacheWrite, BigDecimal cacheRead) {}
}
