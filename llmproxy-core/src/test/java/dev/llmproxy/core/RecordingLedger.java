package dev.llmproxy.core;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import java.util.concurrent.atomic.AtomicInteger;

/** A ledger that grants everything and counts how reservations were settled. */
class RecordingLedger implements BudgetLedger {
  final AtomicInteger reserved = new AtomicInteger();
  final AtomicInteger committed = new AtomicInteger();
  final AtomicInteger refunded = new AtomicInteger();

  @Override
  public Decision reserve(ReservationRequest request) {
    return new Decision.Granted(
        new Reservation("r" + reserved.incrementAndGet(), request.principal(), request.estimate()),
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
