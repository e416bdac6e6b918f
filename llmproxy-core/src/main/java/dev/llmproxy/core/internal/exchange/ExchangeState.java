package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.ModelPrice;
import dev.llmproxy.core.ProxyExchange;
import dev.llmproxy.core.internal.metering.UsageMeter;
import dev.llmproxy.core.internal.pool.Pool;
import dev.llmproxy.core.internal.provider.RequestPeek;
import dev.llmproxy.core.internal.provider.Route;
import java.time.Duration;
import java.time.Instant;

/**
 * What one exchange has learned so far, filled in stage by stage: the stages read what earlier ones
 * wrote and add their own. Owned by the exchange's thread, except for the cancellation fields,
 * which the container (client gone) and the proxy (closing) set from theirs.
 */
final class ExchangeState {
  final ProxyExchange io;
  final Route route;
  final long startNanos = System.nanoTime();
  final Instant timestamp;
  ExchangeObserver.Observation observation = ExchangeObserver.Observation.NONE;
  private long upstreamNanos; // spent waiting on the upstream, summed over attempts
  private Duration overhead; // fixed when the response's headers were decided
  final ProxyEvent.Builder event = ProxyEvent.builder();

  // authenticate, read body, authorize
  Principal principal;
  byte[] body;
  boolean bodyRead; // the request body was read whole
  RequestPeek peek = RequestPeek.NONE;

  // reserve
  ModelPrice price;
  Reservation reservation;
  boolean holdSettled; // booked or refunded: before the last chunk of a body of known length
  RateLimitState rateLimit; // the caller's window once the ledger decided

  // credential, failover, forward
  UpstreamCredential credential;
  Pool pool; // the shared pool serving the request; null for the caller's own credential
  String baseUrl; // the pool member's own base URL; null for the provider's
  boolean responded; // the upstream answered with a status line

  // respond
  int status;
  Outcome outcome;
  UsageMeter meter = UsageMeter.NONE;
  boolean abort; // end the client's response abnormally

  private volatile UpstreamCall call;
  private boolean earlierCallSent; // a replaced attempt reached the upstream: never refund
  private volatile boolean clientGone;
  private volatile boolean stopped;
  private volatile Runnable wake = () -> {}; // a relay waiting on neither thread notices at once
  private volatile Thread starter; // the thread starting the exchange, until it has left it

  ExchangeState(ProxyExchange io, Route route, Instant now) {
    this.io = io;
    this.route = route;
    this.timestamp = now;
    event
        .timestamp(now)
        .method(io.method())
        .path(io.path())
        .provider(route.provider().isEmpty() ? null : route.provider());
  }

  /** The time since the exchange started. */
  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /**
   * Counts {@code nanos} as the upstream's time, not the proxy's: from handing an attempt's request
   * to the upstream client until its response headers arrived (or the attempt failed).
   */
  void upstreamWaited(long nanos) {
    upstreamNanos += nanos;
  }

  /**
   * The proxy's own time so far: since the exchange started, less the time waiting on the upstream.
   * Fixed by the first call that passes {@code fix}, when the response's headers are decided, so
   * the header and the event say the same.
   */
  Duration overhead(boolean fix) {
    if (overhead != null) {
      return overhead;
    }
    Duration now = Duration.ofNanos(Math.max(0, System.nanoTime() - startNanos - upstreamNanos));
    if (fix) {
      overhead = now;
    }
    return now;
  }

  /**
   * Remembers the upstream call so either side can cancel it; cancels it if one already did. A
   * stage that tries again (failover) attaches each attempt's call in turn, having closed the
   * failed attempt's response; whether any of them reached the upstream is remembered.
   */
  void attach(UpstreamCall upstreamCall) {
    UpstreamCall previous = call;
    earlierCallSent |= previous != null && previous.requestSent();
    call = upstreamCall;
    if (clientGone || stopped) {
      upstreamCall.cancel();
    }
  }

  /** Whether any attempt's request reached the upstream, so the exchange must be paid for. */
  boolean requestSent() {
    UpstreamCall current = call;
    return earlierCallSent || (current != null && current.requestSent());
  }

  /** Whether the current attempt's request reached the upstream. */
  boolean attemptSent() {
    UpstreamCall current = call;
    return current != null && current.requestSent();
  }

  /** The exchange starts on this thread: its observation is bound to it until {@link #left}. */
  void starting() {
    starter = Thread.currentThread();
  }

  /** The starting thread has left the exchange. */
  void left() {
    starter = null;
  }

  /** Whether this thread is the one starting the exchange, which has not left it yet. */
  boolean isStarting() {
    return Thread.currentThread() == starter;
  }

  /** The client has gone: cancel the upstream call. Any thread. */
  void clientGone() {
    clientGone = true;
    cancel();
    wake.run();
  }

  /** The proxy is closing: cancel the upstream call. Any thread. */
  void stop() {
    stopped = true;
    cancel();
    wake.run();
  }

  /**
   * Runs {@code relay} when the client goes or the proxy stops: a non-blocking relay may be waiting
   * for the client to take more, with no thread to notice either.
   */
  void onCancel(Runnable relay) {
    wake = relay;
    if (clientGone || stopped) {
      relay.run();
    }
  }

  boolean isClientGone() {
    return clientGone;
  }

  boolean isStopped() {
    return stopped;
  }

  private void cancel() {
    UpstreamCall current = call;
    if (current != null) {
      current.cancel();
    }
  }
}
