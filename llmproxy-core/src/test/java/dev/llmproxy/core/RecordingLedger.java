package dev.llmproxy.core;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import java.util.concurrent.atomic.AtomicInteger;

/** A ledger that grants everything and counts how reservations were settled. */
class RecordingLedger implements BudgetLedger {
  final AtomicInteger reserved = new AtomicInteger();
  final AtomicInteger committed = new AtomicInteger();
  final AtomicInteger refunded = new AtomicInteger();

  @Override
  public Decision reserve(Principal principal, Charge estimate) {
    return new Decision.Granted(
        new Reservation("r" + reserved.incrementAndGet(), principal, estimate),
        RateLimitState.unlimited());
  }

  @Override
  public void commit(Reservation reservation, Charge actual) {
    committed.incrementAndGet();
  }

  @Override
  public void refund(Reservation reservation) {
    refunded.incrementAndGet();
  }
}
