package dev.llmproxy.api;

/**
 * Token usage reported by the upstream for one exchange.
 *
 * <p>Follows Anthropic's split: {@code inputTokens} excludes cache reads and writes, which are
 * counted separately. Meters for providers that include cached tokens in their prompt count
 * (OpenAI) subtract them, so a {@code Usage} always prices the same way.
 */
public record Usage(
    long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {

  /** No tokens. */
  public static final Usage NONE = new Usage(0, 0, 0, 0);

  public Usage {
    if (inputTokens < 0
        || outputTokens < 0
        || cacheCreationInputTokens < 0
        || cacheReadInputTokens < 0) {
      throw new IllegalArgumentException("negative token count");
    }
  }

  /** Whether every count is zero. */
  public boolean isEmpty() {
    return equals(NONE);
  }
}
