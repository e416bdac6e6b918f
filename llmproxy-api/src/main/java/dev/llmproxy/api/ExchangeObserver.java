package dev.llmproxy.api;

/**
 * Watches exchanges from their start to their end, for what needs both: exchanges in flight, a
 * trace span around each one. (For what needs only the outcome, a {@link ProxyListener} is
 * simpler.)
 *
 * <p>{@link #start} is called on the exchange's thread before its first stage; the returned {@link
 * Observation} then hears of each stage as it begins and, exactly once, of the end with the
 * exchange's {@link ProxyEvent}, on that same thread (so a tracer may make its span current for the
 * exchange's duration). An exception thrown by an observer is logged and ignored: an observer can
 * never break a proxied call. Keep every call fast; it is on the exchange's path.
 */
@FunctionalInterface
public interface ExchangeObserver {

  /** An exchange has started; returns what observes it until its end. */
  Observation start(ExchangeStart start);

  /** One exchange, observed. */
  interface Observation {
    /** Observes nothing. */
    Observation NONE = event -> {};

    /**
     * A stage of the exchange begins: {@code authenticate}, {@code route}, {@code read_body},
     * {@code alias}, {@code authorize}, {@code reserve}, {@code credential}, {@code failover},
     * {@code forward} (once per try), then {@code respond} (or {@code error}) and {@code settle}. A
     * refused exchange stops at the stage that refused it.
     */
    default void stage(String name) {}

    /** The exchange has ended, been answered and settled; called once, with its event. */
    void end(ProxyEvent event);
  }
}
