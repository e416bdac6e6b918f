package dev.llmproxy.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.core.credentials.ClaudeCredentialsFile;
import dev.llmproxy.core.pools.PoolMember;
import dev.llmproxy.core.pools.PoolStrategy;
import dev.llmproxy.core.pools.UpstreamPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream pools from the JSON file named by {@code LLMPROXY_POOLS_FILE} (format in docs/pools.md).
 * Every error names the file and the field, e.g. {@code pools[0].members[1].api_key_env: ORG_B_KEY
 * is not set}, and never quotes a key.
 */
final class PoolsConfig {
  static final String VARIABLE = "LLMPROXY_POOLS_FILE";

  private static final Set<String> POOL_FIELDS =
      Set.of(
          "provider",
          "strategy",
          "retry_on",
          "max_tries",
          "deadline_ms",
          "cooldown_ms",
          "affinity_header",
          "aliases",
          "members");
  private static final Set<String> MEMBER_FIELDS =
      Set.of("id", "api_key", "api_key_env", "claude_credentials", "base_url", "weight");
  private static final Set<String> CREDENTIALS =
      Set.of("api_key", "api_key_env", "claude_credentials");

  private PoolsConfig() {}

  /** The pools of the file {@code env} names; none when it names none. */
  static List<UpstreamPool> fromEnvironment(Map<String, String> env, Set<ProviderId> providers) {
    String file = env.get(VARIABLE);
    if (file == null || file.isBlank()) {
      return List.of();
    }
    String json;
    try {
      json = Files.readString(Path.of(file.trim()));
    } catch (IOException e) {
      throw new IllegalArgumentException(VARIABLE + " cannot be read: " + file.trim());
    }
    return parse(json, env, providers);
  }

  static List<UpstreamPool> parse(String json, Map<String, String> env, Set<ProviderId> providers) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(VARIABLE + " is not valid JSON");
    }
    if (root == null || !root.isObject() || !root.path("pools").isArray()) {
      throw new IllegalArgumentException(VARIABLE + ": expected {\"pools\": [...]}");
    }
    List<UpstreamPool> pools = new ArrayList<>();
    Set<ProviderId> seen = new HashSet<>();
    JsonNode array = root.get("pools");
    for (int i = 0; i < array.size(); i++) {
      String where = "pools[" + i + "]";
      UpstreamPool pool = pool(array.get(i), where, env, providers);
      if (!seen.add(pool.provider())) {
        throw error(where + ".provider", "a second pool for " + pool.provider());
      }
      pools.add(pool);
    }
    return pools;
  }

  private static UpstreamPool pool(
      JsonNode node, String where, Map<String, String> env, Set<ProviderId> providers) {
    fields(node, where, POOL_FIELDS);
    String name = text(node, "provider", where);
    if (name == null) {
      throw error(where + ".provider", "missing");
    }
    ProviderId provider = ProviderId.of(name);
    if (!providers.contains(provider)) {
      throw error(
          where + ".provider", "'" + name + "' is not a provider of this proxy " + providers);
    }
    UpstreamPool.Builder builder = UpstreamPool.builder(provider);
    try {
      String strategy = text(node, "strategy", where);
      if (strategy != null) {
        builder.strategy(PoolStrategy.parse(strategy));
      }
    } catch (IllegalArgumentException e) {
      throw error(where + ".strategy", e.getMessage());
    }
    if (node.has("retry_on")) {
      JsonNode list = node.get("retry_on");
      Set<Integer> statuses = new HashSet<>();
      if (!list.isArray()) {
        throw error(where + ".retry_on", "must be an array of statuses");
      }
      for (JsonNode status : list) {
        if (!status.isInt()) {
          throw error(where + ".retry_on", "must be an array of statuses");
        }
        statuses.add(status.asInt());
      }
      try {
        builder.retryOn(statuses);
      } catch (IllegalArgumentException e) {
        throw error(where + ".retry_on", e.getMessage());
      }
    }
    if (node.has("max_tries")) {
      builder.maxTries((int) number(node, "max_tries", where, 1, 100));
    }
    if (node.has("deadline_ms")) {
      builder.deadline(Duration.ofMillis(number(node, "deadline_ms", where, 1, 3_600_000)));
    }
    if (node.has("cooldown_ms")) {
      builder.cooldown(Duration.ofMillis(number(node, "cooldown_ms", where, 0, 86_400_000)));
    }
    String affinity = text(node, "affinity_header", where);
    if (affinity != null) {
      builder.affinityHeader(affinity);
    }
    if (node.has("aliases")) {
      JsonNode aliases = node.get("aliases");
      if (!aliases.isObject()) {
        throw error(where + ".aliases", "must be an object of alias to model");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = aliases.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> alias = it.next();
        if (!alias.getValue().isTextual() || alias.getValue().asText().isBlank()) {
          throw error(where + ".aliases." + alias.getKey(), "must name a model");
        }
        builder.alias(alias.getKey(), alias.getValue().asText());
      }
    }
    JsonNode members = node.get("members");
    if (members == null || !members.isArray() || members.isEmpty()) {
      throw error(where + ".members", "needs at least one member");
    }
    for (int m = 0; m < members.size(); m++) {
      try {
        builder.addMember(member(members.get(m), where + ".members[" + m + "]", env, provider));
      } catch (IllegalArgumentException e) {
        throw e.getMessage().startsWith(VARIABLE)
            ? e
            : error(where + ".members[" + m + "]", e.getMessage());
      }
    }
    return builder.build();
  }

  private static PoolMember member(
      JsonNode node, String where, Map<String, String> env, ProviderId provider) {
    fields(node, where, MEMBER_FIELDS);
    String id = text(node, "id", where);
    if (id == null) {
      throw error(where + ".id", "missing");
    }
    List<String> given = new ArrayList<>();
    for (String field : CREDENTIALS) {
      if (node.has(field)) {
        given.add(field);
      }
    }
    if (given.size() != 1) {
      throw error(where, "needs exactly one of api_key, api_key_env, claude_credentials");
    }
    PoolMember member =
        switch (given.get(0)) {
          case "api_key" -> PoolMember.apiKey(id, text(node, "api_key", where));
          case "api_key_env" -> {
            String variable = text(node, "api_key_env", where);
            String key = variable == null ? null : env.get(variable);
            if (key == null || key.isBlank()) {
              throw error(where + ".api_key_env", variable + " is not set");
            }
            yield PoolMember.apiKey(id, key.trim());
          }
          default -> {
            if (!provider.equals(ProviderId.ANTHROPIC)) {
              throw error(where + ".claude_credentials", "only an anthropic pool takes one");
            }
            yield PoolMember.claudeCredentials(
                id,
                new ClaudeCredentialsFile(
                    Path.of(text(node, "claude_credentials", where)), Clock.systemUTC()));
          }
        };
    String baseUrl = text(node, "base_url", where);
    if (baseUrl != null) {
      member = member.withBaseUrl(baseUrl);
    }
    if (node.has("weight")) {
      member = member.withWeight((int) number(node, "weight", where, 1, 1_000));
    }
    return member;
  }

  private static void fields(JsonNode node, String where, Set<String> allowed) {
    if (node == null || !node.isObject()) {
      throw error(where, "must be an object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!allowed.contains(field)) {
        throw error(where + "." + field, "unknown field");
      }
    }
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw error(where + "." + field, "must be a non-empty string");
    }
    return value.asText().trim();
  }

  private static long number(JsonNode node, String field, String where, long min, long max) {
    JsonNode value = node.get(field);
    if (!value.canConvertToExactIntegral() || value.asLong() < min || value.asLong() > max) {
      throw error(where + "." + field, "must be a whole number from " + min + " to " + max);
    }
    return value.asLong();
  }

  private static IllegalArgumentException error(String field, String message) {
    return new IllegalArgumentException(VARIABLE + ": " + field + ": " + message);
  }
}
