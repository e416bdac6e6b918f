package dev.llmproxy.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.core.CompatibleUpstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * OpenAI-compatible upstreams from {@code LLMPROXY_UPSTREAMS} (a JSON array) or the file named by
 * {@code LLMPROXY_UPSTREAMS_FILE}:
 *
 * <pre>{@code
 * [{"name": "ollama", "base_url": "http://127.0.0.1:11434", "auth_header": null},
 *  {"name": "groq", "base_url": "https://api.groq.com/openai", "key_prefix": "gsk_",
 *   "api_key_env": "GROQ_API_KEY"}]
 * }</pre>
 *
 * Fields: {@code name} (route segment), {@code base_url}; optional {@code auth_header} (default
 * {@code authorization}; {@code null} for an upstream that takes no key), {@code auth_prefix}
 * (default {@code "Bearer "}), {@code key_prefix} (users may save their own key, which must start
 * with it; {@code ""} for any), {@code api_key_env} (the environment variable holding the shared
 * key).
 */
final class UpstreamsConfig {
  private static final Set<String> FIELDS =
      Set.of("name", "base_url", "auth_header", "auth_prefix", "key_prefix", "api_key_env");

  /** One configured upstream and its shared key, if any. */
  record Upstream(CompatibleUpstream upstream, Optional<String> sharedKey) {
    /** Never prints the key. */
    @Override
    public String toString() {
      return "Upstream["
          + upstream.name()
          + ", sharedKey="
          + (sharedKey.isPresent() ? "set" : "unset")
          + "]";
    }
  }

  private UpstreamsConfig() {}

  static List<Upstream> fromEnvironment(Map<String, String> env) {
    String json = env.get("LLMPROXY_UPSTREAMS");
    String file = env.get("LLMPROXY_UPSTREAMS_FILE");
    if (file != null && !file.isBlank()) {
      try {
        json = Files.readString(Path.of(file.trim()));
      } catch (IOException e) {
        throw new IllegalArgumentException("LLMPROXY_UPSTREAMS_FILE cannot be read: " + file);
      }
    }
    return json == null || json.isBlank() ? List.of() : parse(json, env);
  }

  static List<Upstream> parse(String json, Map<String, String> env) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("LLMPROXY_UPSTREAMS is not valid JSON");
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("LLMPROXY_UPSTREAMS must be a JSON array");
    }
    List<Upstream> upstreams = new ArrayList<>();
    for (JsonNode node : root) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String field = names.next();
        if (!FIELDS.contains(field)) {
          throw new IllegalArgumentException("LLMPROXY_UPSTREAMS: unknown field '" + field + "'");
        }
      }
      String name = text(node, "name").orElseThrow(() -> missing("name"));
      String baseUrl = text(node, "base_url").orElseThrow(() -> missing("base_url"));
      Optional<String> authHeader =
          node.has("auth_header") ? text(node, "auth_header") : Optional.of("authorization");
      CompatibleUpstream upstream;
      try {
        upstream =
            new CompatibleUpstream(
                ProviderId.of(name),
                baseUrl,
                authHeader,
                node.has("auth_prefix") ? node.path("auth_prefix").asText("") : "Bearer ",
                node.has("key_prefix")
                    ? Optional.of(node.path("key_prefix").asText(""))
                    : Optional.empty());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "LLMPROXY_UPSTREAMS: upstream '" + name + "': " + e.getMessage());
      }
      Optional<String> key =
          text(node, "api_key_env")
              .map(env::get)
              .filter(value -> !value.isBlank())
              .map(String::trim);
      upstreams.add(new Upstream(upstream, key));
    }
    return upstreams;
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.asText().isBlank()
        ? Optional.empty()
        : Optional.of(value.asText().trim());
  }

  private static IllegalArgumentException missing(String field) {
    return new IllegalArgumentException("LLMPROXY_UPSTREAMS: every upstream needs '" + field + "'");
  }
}
