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
 * @param tokenLimit tokens allowed per window; {@link Long#MAX_VALUE} when unlimited
 * @param tokensRemaining tokens left in the current window, reservations in flight counted
 */
public record RateLimitState(
    long limit, long remaining, Instant resetAt, long tokenLimit, long tokensRemaining) {
  private static final RateLimitState UNLIMITED =
      new RateLimitState(Long.MAX_VALUE, Long.MAX_VALUE, Instant.EPOCH);

  public RateLimitState {
    Objects.requireNonNull(resetAt, "resetAt");
  }

  /** A request window with no token limit. */
  public RateLimitState(long limit, long remaining, Instant resetAt) {
    this(limit, remaining, resetAt, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /** Whether a token rate limit applies. */
  public boolean limitsTokens() {
    return tokenLimit != Long.MAX_VALUE;
  }

  /** No rate limit applies: no rate-limit headers are sent. */
  public static RateLimitState unlimited() {
    return UNLIMITED;
  }

  /** Whether a request rate limit applies. */
  public boolean isLimited() {
    return limit != Long.MAX_VALUE;
  }
}
