package dev.llmproxy.core;

import dev.llmproxy.api.ProviderId;
import dev.llmproxy.core.internal.provider.BaseUrls;
import java.util.Objects;
import java.util.Optional;

/**
 * An OpenAI-compatible upstream served under its own route {@code {mount}/{name}/…}: a local vLLM
 * or Ollama, or a hosted compatible API. It shares the OpenAI profile's error envelope and usage
 * metering.
 *
 * @param name the route segment and provider id, e.g. {@code ollama}
 * @param baseUrl the upstream base URL, e.g. {@code http://127.0.0.1:11434}
 * @param authHeader the header that carries the key, e.g. {@code authorization} or {@code api-key};
 *     empty when the upstream takes no key (the request is then sent without one)
 * @param authPrefix what precedes the key in that header, e.g. {@code "Bearer "}
 * @param keyPrefix the prefix users' own keys must have, if any
 */
public record CompatibleUpstream(
    ProviderId name,
    String baseUrl,
    Optional<String> authHeader,
    String authPrefix,
    Optional<String> keyPrefix) {

  public CompatibleUpstream {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(authHeader, "authHeader");
    Objects.requireNonNull(authPrefix, "authPrefix");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    baseUrl = BaseUrls.normalize(baseUrl);
    if (name.equals(ProviderId.ANTHROPIC) || name.equals(ProviderId.OPENAI)) {
      throw new IllegalArgumentException(name + " is a built-in provider");
    }
  }

  /** An upstream taking {@code Authorization: Bearer <key>}. */
  public static CompatibleUpstream bearer(String name, String baseUrl) {
    return new CompatibleUpstream(
        ProviderId.of(name), baseUrl, Optional.of("authorization"), "Bearer ", Optional.empty());
  }

  /** An upstream that takes no key at all, e.g. a local model server. */
  public static CompatibleUpstream keyless(String name, String baseUrl) {
    return new CompatibleUpstream(
        ProviderId.of(name), baseUrl, Optional.empty(), "", Optional.empty());
  }
}
