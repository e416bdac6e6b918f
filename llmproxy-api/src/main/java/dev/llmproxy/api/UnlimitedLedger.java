package dev.llmproxy.api;

import java.util.concurrent.atomic.AtomicLong;

/** {@link BudgetLedger#unlimited()}. */
enum UnlimitedLedger implements BudgetLedger {
  INSTANCE;

  private final AtomicLong ids = new AtomicLong();

  @Override
  public Decision reserve(ReservationRequest request) {
    return new Decision.Granted(
        new Reservation(
            Long.toString(ids.incrementAndGet()), request.principal(), request.estimate()),
        RateLimitState.unlimited());
  }

  @Override
  public void commit(Reservation reservation, Charge actual) {}

  @Override
  public void refund(Reservation reservation) {}
}
