package dev.llmproxy.api;

/**
 * The request rate a principal's tier allows: at most {@code requestsPerMinute} reservations in
 * each fixed one-minute window. The engine looks it up in its tiers and hands it to the {@link
 * BudgetLedger} with every request, so the tiers are configured in one place.
 *
 * @param requestsPerMinute requests per window; 0 means no rate limit
 */
public record RateLimit(int requestsPerMinute) {
  /** No rate limit. */
  public static final RateLimit NONE = new RateLimit(0);

  public RateLimit {
    if (requestsPerMinute < 0) {
      throw new IllegalArgumentException("negative rate: " + requestsPerMinute);
    }
  }

  /** Whether there is a limit at all. */
  public boolean isLimited() {
    return requestsPerMinute > 0;
  }
}
