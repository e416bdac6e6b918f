package dev.llmproxy.example;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The example's configuration, read from {@code LLMPROXY_*} environment variables (see CONTRACT.md
 * and README.md for the table).
 *
 * @param port HTTP port; 0 picks a free one
 * @param dataDir where the admin token, keys and audit log live
 * @param adminToken the admin bearer, or empty to load/generate one in {@code dataDir}
 * @param anthropicBaseUrl Anthropic upstream
 * @param anthropicApiKey shared Anthropic key, or empty
 * @param maxBodyBytes request body limit
 * @param defaultTier tier of tokens issued without one
 * @param maxConcurrent exchanges in flight before the proxy answers overloaded
 */
record ExampleConfig(
    int port,
    Path dataDir,
    Optional<String> adminToken,
    String anthropicBaseUrl,
    Optional<String> anthropicApiKey,
    long maxBodyBytes,
    String defaultTier,
    int maxConcurrent) {

  /** Reads the configuration from {@code env}; throws with the variable's name if invalid. */
  static ExampleConfig fromEnvironment(Map<String, String> env) {
    return new ExampleConfig(
        intVar(env, "LLMPROXY_PORT", 8080),
        Path.of(env.getOrDefault("LLMPROXY_DATA_DIR", "./llmproxy-data")),
        nonBlank(env, "LLMPROXY_ADMIN_TOKEN"),
        env.getOrDefault("LLMPROXY_ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
        nonBlank(env, "LLMPROXY_ANTHROPIC_API_KEY"),
        longVar(env, "LLMPROXY_MAX_BODY_BYTES", 33_554_432L),
        env.getOrDefault("LLMPROXY_DEFAULT_TIER", "free"),
        intVar(env, "LLMPROXY_MAX_CONCURRENT", 10_000));
  }

  /** This configuration pointed at another Anthropic upstream with another shared key. */
  ExampleConfig withAnthropic(String baseUrl, String apiKey) {
    return new ExampleConfig(
        port,
        dataDir,
        adminToken,
        baseUrl,
        Optional.of(apiKey),
        maxBodyBytes,
        defaultTier,
        maxConcurrent);
  }

  private static Optional<String> nonBlank(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static int intVar(Map<String, String> env, String name, int fallback) {
    return (int) longVar(env, name, fallback);
  }

  private static long longVar(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got '" + value + "'");
    }
  }
}
