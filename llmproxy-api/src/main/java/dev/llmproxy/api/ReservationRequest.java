package dev.llmproxy.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * What the engine asks a {@link BudgetLedger} to hold for one exchange. The engine owns the tiers
 * and the clock and passes both in, so a ledger needs neither and can never disagree with the
 * engine about a principal's rate or the time.
 *
 * @param principal who asks
 * @param estimate the worst case the exchange may cost
 * @param rateLimit the request rate the principal's tier allows
 * @param at the engine's clock when the request arrived; rate windows are aligned to it
 * @param purpose what the hold is for, kept with it for a {@link ReclaimedHold}
 * @param caps the accounts to hold and book against, the principal's own first, with the caps of
 *     their current periods; all must allow the estimate, and all are held together
 */
public record ReservationRequest(
    Principal principal,
    Charge estimate,
    RateLimit rateLimit,
    Instant at,
    Purpose purpose,
    List<AccountCap> caps) {
  public ReservationRequest {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(estimate, "estimate");
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(purpose, "purpose");
    caps = List.copyOf(caps);
    if (caps.isEmpty()) {
      throw new IllegalArgumentException("a reservation books at least one account");
    }
    if (caps.stream().map(AccountCap::accountId).distinct().count() != caps.size()) {
      throw new IllegalArgumentException("an account appears twice in one reservation");
    }
  }

  /** A request for {@code purpose}, with the principal's caps, periods aligned in UTC. */
  public ReservationRequest(
      Principal principal, Charge estimate, RateLimit rateLimit, Instant at, Purpose purpose) {
    this(principal, estimate, rateLimit, at, purpose, AccountCap.of(principal, at, ZoneOffset.UTC));
  }

  /** A request whose purpose is unknown. */
  public ReservationRequest(Principal principal, Charge estimate, RateLimit rateLimit, Instant at) {
    this(principal, estimate, rateLimit, at, Purpose.UNKNOWN);
  }
}
