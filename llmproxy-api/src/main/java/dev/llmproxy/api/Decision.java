package dev.llmproxy.api;

import java.time.Duration;
import java.util.Objects;

/** A {@link BudgetLedger}'s answer to a reservation request. */
public sealed interface Decision {

  /** The caller's rate-limit window after this decision. */
  RateLimitState rateLimit();

  /** The request may go upstream; settle {@code reservation} when it ends. */
  record Granted(Reservation reservation, RateLimitState rateLimit) implements Decision {
    public Granted {
      Objects.requireNonNull(reservation, "reservation");
      Objects.requireNonNull(rateLimit, "rateLimit");
    }
  }

  /**
   * The request must not go upstream.
   *
   * @param retryAfter when trying again may succeed; zero when it will not by waiting
   * @param accountId the account whose budget refused, or {@code null} for the rate limit
   */
  record Denied(Reason reason, Duration retryAfter, RateLimitState rateLimit, String accountId)
      implements Decision {
    public Denied {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(retryAfter, "retryAfter");
      Objects.requireNonNull(rateLimit, "rateLimit");
    }

    /** A denial that names no account. */
    public Denied(Reason reason, Duration retryAfter, RateLimitState rateLimit) {
      this(reason, retryAfter, rateLimit, null);
    }
  }

  /** Why a reservation was denied. */
  enum Reason {
    /** The tier's request rate is exhausted for this window: 429 with Retry-After. */
    RATE_LIMITED,
    /** The account's tokens-per-minute are used up for this window: 429 with Retry-After. */
    TOKEN_RATE_LIMITED,
    /** The token's {@code max_requests} is used up: 429. */
    REQUEST_BUDGET_EXHAUSTED,
    /** The token's {@code max_spend_usd} cannot cover the estimate: 429. */
    SPEND_BUDGET_EXHAUSTED
  }
}
