package dev.llmproxy.core.internal.provider;

import dev.llmproxy.api.Scopes;

/**
 * Which {@link Scopes scope} an upstream path needs, for Anthropic's and OpenAI's APIs (and
 * OpenAI-compatible ones). A path no scope names needs {@link Scopes#ALL}, so a restricted token
 * cannot reach an endpoint this proxy does not know.
 */
public final class EndpointScopes {
  private static final String[] INFERENCE = {
    "/v1/messages",
    "/v1/complete",
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/responses",
    "/v1/embeddings",
    "/v1/audio/",
    "/v1/images/",
    "/v1/moderations"
  };

  private EndpointScopes() {}

  /** The scope {@code upstreamPath} (without query) needs. */
  public static String of(String upstreamPath) {
    String path =
        upstreamPath.endsWith("/")
            ? upstreamPath.substring(0, upstreamPath.length() - 1)
            : upstreamPath;
    if (path.endsWith("/count_tokens") || path.equals("/v1/responses/input_tokens")) {
      return Scopes.COUNT_TOKENS;
    }
    if (under(path, "/v1/messages/batches") || under(path, "/v1/batches")) {
      return Scopes.BATCHES;
    }
    if (under(path, "/v1/files") || under(path, "/v1/uploads")) {
      return Scopes.FILES;
    }
    if (under(path, "/v1/models")) {
      return Scopes.MODELS;
    }
    for (String prefix : INFERENCE) {
      if (prefix.endsWith("/") ? path.startsWith(prefix) : under(path, prefix)) {
        return Scopes.INFERENCE;
      }
    }
    return Scopes.ALL;
  }

  /** {@code path} is {@code prefix} or below it. */
  private static boolean under(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }
}
