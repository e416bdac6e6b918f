package dev.llmproxy.core.internal.provider;

import dev.llmproxy.api.Scopes;
import java.util.Set;

/**
 * Which {@link Scopes scope} an upstream path needs, for Anthropic's and OpenAI's APIs (and
 * OpenAI-compatible ones). Paths are matched exactly, segment by segment, on the path as the
 * upstream will receive it: a path with a percent-escape, a {@code ;} parameter or an empty segment
 * (which an upstream may decode, strip or merge into another endpoint) and every path no scope
 * names need {@link Scopes#ALL}, so a restricted token cannot reach an endpoint this proxy does not
 * know.
 */
public final class EndpointScopes {
  /** Generating endpoints, exactly. */
  private static final Set<String> INFERENCE =
      Set.of(
          "/v1/messages",
          "/v1/complete",
          "/v1/chat/completions",
          "/v1/completions",
          "/v1/responses",
          "/v1/embeddings",
          "/v1/moderations",
          "/v1/audio/speech",
          "/v1/audio/transcriptions",
          "/v1/audio/translations",
          "/v1/images/generations",
          "/v1/images/edits",
          "/v1/images/variations");

  private static final Set<String> COUNT_TOKENS =
      Set.of("/v1/messages/count_tokens", "/v1/responses/input_tokens");

  private EndpointScopes() {}

  /** The scope {@code upstreamPath} (without query) needs. */
  public static String of(String upstreamPath) {
    if (upstreamPath.indexOf('%') >= 0
        || upstreamPath.indexOf(';') >= 0
        || upstreamPath.contains("//")
        || upstreamPath.endsWith("/")) {
      return Scopes.ALL;
    }
    if (COUNT_TOKENS.contains(upstreamPath)) {
      return Scopes.COUNT_TOKENS;
    }
    if (INFERENCE.contains(upstreamPath)) {
      return Scopes.INFERENCE;
    }
    if (under(upstreamPath, "/v1/messages/batches") || under(upstreamPath, "/v1/batches")) {
      return Scopes.BATCHES;
    }
    if (under(upstreamPath, "/v1/files") || under(upstreamPath, "/v1/uploads")) {
      return Scopes.FILES;
    }
    if (upstreamPath.equals("/v1/models") || oneBelow(upstreamPath, "/v1/models")) {
      return Scopes.MODELS;
    }
    if (oneBelow(upstreamPath, "/v1/responses") // a stored response: read, cancel, its items
        || twoBelow(upstreamPath, "/v1/responses", "input_items")
        || twoBelow(upstreamPath, "/v1/responses", "cancel")) {
      return Scopes.INFERENCE;
    }
    return Scopes.ALL;
  }

  /** {@code path} is {@code prefix} or below it. */
  private static boolean under(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }

  /** {@code path} is {@code prefix} and exactly one more segment. */
  private static boolean oneBelow(String path, String prefix) {
    return path.startsWith(prefix + "/") && path.indexOf('/', prefix.length() + 1) < 0;
  }

  /** {@code path} is {@code prefix}, one segment, then {@code last}. */
  private static boolean twoBelow(String path, String prefix, String last) {
    if (!path.startsWith(prefix + "/") || !path.endsWith("/" + last)) {
      return false;
    }
    String middle = path.substring(prefix.length() + 1, path.length() - last.length() - 1);
    return !middle.isEmpty() && middle.indexOf('/') < 0;
  }
}
