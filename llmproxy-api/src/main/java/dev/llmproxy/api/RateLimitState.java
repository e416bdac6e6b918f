package dev.llmproxy.api;

import java.time.Instant;
import java.util.Objects;

/**
 * The caller's request-rate window, reported to clients as {@code X-RateLimit-Limit}, {@code
 * X-RateLimit-Remaining} and {@code X-RateLimit-Reset}.
 *
 * @param limit requests allowed per window
 * @param remaining requests left in the current window
 * @param resetAt when the current window ends
 */
public record RateLimitState(long limit, long remaining, Instant resetAt) {
  private static final RateLimitState UNLIMITED =
      new RateLimitState(Long.MAX_VALUE, Long.MAX_VALUE, Instant.EPOCH);

  public RateLimitState {
    Objects.requireNonNull(resetAt, "resetAt");
  }

  /** No rate limit applies: no rate-limit headers are sent. */
  public static RateLimitState unlimited() {
    return UNLIMITED;
  }

  /** Whether a rate limit applies. */
  public boolean isLimited() {
    return this != UNLIMITED && limit != Long.MAX_VALUE;
  }
}
