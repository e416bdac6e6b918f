package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Purpose;
import dev.llmproxy.api.ReclaimedHold;
import dev.llmproxy.api.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the ledger's {@link BudgetLedger#heartbeat} at start and then at a fixed interval, from one
 * daemon thread, and records every hold it reclaimed as an event: the exchange's own event was lost
 * with the instance that died, and spend must always equal what the events say. Before each beat it
 * retries the settlements the ledger failed.
 */
final class HoldKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HoldKeeper.class);
  private static final String UNKNOWN = "-";

  private final BudgetLedger ledger;
  private final Budget budget;
  private final Clock clock;
  private final Listeners listeners;
  private final ScheduledExecutorService timer;

  HoldKeeper(
      BudgetLedger ledger, Budget budget, Clock clock, Listeners listeners, Duration interval) {
    this.ledger = ledger;
    this.budget = budget;
    this.clock = clock;
    this.listeners = listeners;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "llmproxy-ledger-heartbeat");
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    timer.scheduleWithFixedDelay(this::beat, 0, millis, TimeUnit.MILLISECONDS);
  }

  private void beat() {
    budget.retryUnsettled(); // first: a failed commit of ours must not be reclaimed at its hold
    List<ReclaimedHold> reclaimed;
    try {
      reclaimed = ledger.heartbeat(clock.instant());
    } catch (RuntimeException e) { // the store is down: the next beat tries again
      log.warn("Budget ledger heartbeat failed: {}", e.toString());
      return;
    }
    for (ReclaimedHold hold : reclaimed) {
      listeners.publish(event(hold, clock.instant()));
    }
  }

  /** The event of a reclaimed hold: a 502 whose cost is the hold's estimate. */
  static ProxyEvent event(ReclaimedHold hold, Instant now) {
    Purpose purpose = hold.purpose();
    String account = hold.accountId();
    return ProxyEvent.builder()
        .timestamp(hold.reservedAt())
        .principal(hold.principalId(), account.startsWith("principal:") ? null : account)
        .team(
            hold.teamAccounts().isEmpty()
                ? null
                : hold.teamAccounts().get(0).substring("team:".length()))
        .provider(purpose.provider())
        .method(purpose.method() != null ? purpose.method() : UNKNOWN)
        .path(purpose.path() != null ? purpose.path() : UNKNOWN)
        .model(purpose.model())
        .status(502)
        .outcome(Outcome.UPSTREAM_ERROR)
        .latency(Duration.between(hold.reservedAt(), now).abs())
        .usage(Usage.NONE)
        .costNanoUsd(hold.booked().nanoUsd())
        .costEstimated(true)
        .reclaimed(true)
        .build();
  }

  /** Stops beating, after the beat in progress if there is one. */
  @Override
  public void close() {
    timer.shutdown();
    try {
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        timer.shutdownNow();
      }
    } catch (InterruptedException e) {
      timer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
