package dev.llmproxy.api;

import java.time.Instant;

/**
 * Holds request counts, spend and rate windows, with reserve → commit/refund semantics so that
 * concurrent requests can never overspend: the engine reserves a worst-case estimate before
 * forwarding, then commits the metered charge or refunds the hold.
 *
 * <p>Implementations must be thread-safe and atomic per reservation. If {@link #reserve} throws,
 * the engine fails closed (503, nothing forwarded). Every granted reservation is settled exactly
 * once.
 */
public interface BudgetLedger {

  /**
   * Atomically checks the principal's rate window and budgets and, if they allow it, holds the
   * request's estimate.
   */
  Decision reserve(ReservationRequest request);

  /** Settles {@code reservation} at {@code actual}, releasing the rest of the hold. */
  void commit(Reservation reservation, Charge actual);

  /** Releases {@code reservation} entirely: the request never reached the upstream. */
  void refund(Reservation reservation);

  /**
   * The caller's current rate window without consuming from it, for the rate-limit headers of
   * responses that end before a reservation (a 400 or 403 after authentication).
   */
  default RateLimitState rateLimit(Principal principal, RateLimit limit, Instant at) {
    return RateLimitState.unlimited();
  }

  /** What account {@code accountId} (see {@link Principal#accountId()}) has used so far. */
  default Balance balance(String accountId) {
    return Balance.ZERO;
  }

  /** A ledger with no limits that records nothing. */
  static BudgetLedger unlimited() {
    return UnlimitedLedger.INSTANCE;
  }
}
