package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settle step, run once however the exchange ended: settles the hold first (so the caller's
 * next request sees its budget as it really is), then ends the response, then publishes the one
 * event (a slow listener never delays the client). Never throws.
 */
final class Settlement {
  private static final Logger log = LoggerFactory.getLogger(Settlement.class);

  private final Budget budget;
  private final Listeners listeners;

  Settlement(Budget budget, Listeners listeners) {
    this.budget = budget;
    this.listeners = listeners;
  }

  void settle(ExchangeState x) {
    // The interrupt that stopped the exchange must not stop its settling; it is put back after, as
    // this may be another thread's (one closing the proxy settles the streams it stops).
    boolean interrupted = x.isStopped() && Thread.interrupted();
    try {
      settleUninterrupted(x);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void settleUninterrupted(ExchangeState x) {
    x.observation.stage("settle");
    try {
      budget.settle(x);
    } catch (RuntimeException e) {
      log.error("Failed to settle a reservation", e);
    }
    try {
      if (x.abort) {
        x.io.abort();
      } else {
        x.io.complete();
      }
    } catch (RuntimeException e) {
      log.warn("Container failed to end the response: {}", e.toString());
    }
    try {
      x.event
          .status(x.status)
          .outcome(x.outcome == null ? Outcome.UPSTREAM_ERROR : x.outcome)
          .latency(x.elapsed())
          .overhead(x.overhead(false));
      ProxyEvent event = x.event.build();
      x.observation.end(event);
      listeners.publish(event);
    } catch (RuntimeException e) {
      log.error("Failed to publish an exchange event", e);
    }
  }
}
