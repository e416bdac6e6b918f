package dev.llmproxy.api;

/**
 * Watches exchanges from their start to their end, for what needs both: exchanges in flight, a
 * trace span around each one. (For what needs only the outcome, a {@link ProxyListener} is
 * simpler.)
 *
 * <p>{@link #start} is called on the exchange's thread before its first stage; the returned {@link
 * Observation} then hears of each stage as it begins and, exactly once, of the end with the
 * exchange's {@link ProxyEvent}. The stages up to the first {@code forward} run on the thread that
 * called {@code start}, or, once a request body read without blocking has arrived, on the thread
 * that read its end, between {@link Observation#attach()} and {@link Observation#detach()}. An
 * exchange relayed without blocking may go on, and end, on other threads, and {@code detach} tells
 * a thread when the exchange leaves it (so a tracer may make its span current for the stages, and
 * must undo that there). An exception thrown by an observer is logged and ignored: an observer can
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

    /**
     * The exchange's stages go on on this thread, which did not call {@link
     * ExchangeObserver#start}: its request body, read without blocking, has arrived. Bind here what
     * {@code start} bound to its thread; {@link #detach} follows on this thread.
     */
    default void attach() {}

    /**
     * The exchange no longer runs on the thread that called {@link #start} (or {@link #attach}):
     * called on that thread, once per start or attach, after the request went upstream (or was
     * refused, or began to wait for its body), before the thread goes back to its pool. Undo here
     * what was bound to the thread; the exchange may still be running elsewhere. When the exchange
     * ended on this thread (a refusal, a blocking relay), this comes after {@link #end}; when it
     * relays without blocking, {@code end} may run on another thread before, after or while this
     * runs.
     */
    default void detach() {}

    /** The exchange has ended, been answered and settled; called once, with its event. */
    void end(ProxyEvent event);
  }
}
