package dev.llmproxy.api;

/**
 * The rates a principal may use: at most {@code requestsPerMinute} reservations per principal in
 * each fixed one-minute window (its tier's), and at most {@code tokensPerMinute} input plus output
 * tokens per account (its token's) in each window (the smaller of its tier's and its token's). The
 * engine works them out and hands them to the {@link BudgetLedger} with every request, so they are
 * configured in one place.
 *
 * @param requestsPerMinute requests per window; 0 means no request rate limit
 * @param tokensPerMinute tokens per window; 0 means no token rate limit
 */
public record RateLimit(int requestsPerMinute, long tokensPerMinute) {
  /** No rate limit. */
  public static final RateLimit NONE = new RateLimit(0);

  public RateLimit {
    if (requestsPerMinute < 0 || tokensPerMinute < 0) {
      throw new IllegalArgumentException("negative rate");
    }
  }

  /** A request rate and no token rate. */
  public RateLimit(int requestsPerMinute) {
    this(requestsPerMinute, 0);
  }

  /** Whether there is a request rate limit. */
  public boolean isLimited() {
    return requestsPerMinute > 0;
  }

  /** Whether there is a token rate limit. */
  public boolean limitsTokens() {
    return tokensPerMinute > 0;
  }
}
