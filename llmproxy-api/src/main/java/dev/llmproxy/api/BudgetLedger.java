package dev.llmproxy.api;

import java.time.Instant;
import java.util.List;

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

  /**
   * Keeps this instance's holds alive and reclaims the holds of instances that stopped without
   * settling them, returning what it booked so the engine can record each one. The engine calls it
   * once when it starts and then every few seconds from one thread.
   *
   * <p>A ledger that outlives its process (a file, a database) gives its holds a lease: a hold
   * whose instance has not renewed it for the lease is reclaimed by any instance, and a restarted
   * instance reclaims its own earlier holds at once. A reclaimed hold is booked at its estimate
   * (see {@link ReclaimedHold} for why). A ledger whose holds die with the process reclaims
   * nothing, which is the default.
   */
  default List<ReclaimedHold> heartbeat(Instant now) {
    return List.of();
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
