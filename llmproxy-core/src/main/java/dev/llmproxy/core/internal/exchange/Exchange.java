package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.ModelPrice;
import dev.llmproxy.core.ProxyExchange;
import dev.llmproxy.core.internal.http.BodyReader;
import dev.llmproxy.core.internal.http.BodyRelay;
import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.http.RateLimitHeaders;
import dev.llmproxy.core.internal.metering.Charges;
import dev.llmproxy.core.internal.metering.UsageMeter;
import dev.llmproxy.core.internal.provider.ProviderProfile;
import dev.llmproxy.core.internal.provider.RequestPeek;
import dev.llmproxy.core.internal.provider.Route;
import dev.llmproxy.core.internal.provider.Router;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Runs one exchange through the pipeline and settles it: every path out of {@link #run()} —
 * success, proxy error, upstream failure, client disconnect — refunds or commits the reservation,
 * publishes exactly one event, and completes or aborts the response.
 */
public final class Exchange implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final Pipeline pipeline;
  private final ProxyExchange io;
  private final long startNanos = System.nanoTime();
  private final ProxyEvent.Builder event = ProxyEvent.builder();

  private ProviderProfile envelope;
  private Principal principal;
  private RateLimitState rateLimit;
  private UsageMeter meter = UsageMeter.NONE;
  private ModelPrice price;

  /** Output tokens a generation may produce: its max_tokens, or the configured default. */
  private long maxOutputTokens;

  private Reservation reservation;
  private Outcome outcome;
  private int status;
  private boolean abort;
  private boolean bodyRead; // the request body was read whole
  private boolean responded;
  private volatile UpstreamCall call;
  private volatile boolean clientGone;
  private volatile boolean stopped;

  public Exchange(Pipeline pipeline, ProxyExchange io) {
    this.pipeline = pipeline;
    this.io = io;
    this.envelope = pipeline.router().envelopeFor(io.path());
    String provider = Router.providerSegment(io.path());
    event
        .timestamp(Instant.now(pipeline.clock()))
        .method(io.method())
        .path(io.path())
        .provider(provider.isEmpty() ? null : provider);
  }

  @Override
  public void run() {
    try {
      io.onClientGone(this::clientGone);
      proxy();
    } catch (ProxyError e) {
      fail(e);
    } catch (Throwable e) { // an Error too: the exchange must still be answered and settled
      log.error("Exchange failed unexpectedly: {} {}", io.method(), io.path(), e);
      fail(ProxyError.internal("The proxy failed to handle this request."));
    } finally {
      settle();
    }
  }

  /** Answers at once, without running the pipeline: the proxy is at its concurrency limit. */
  void rejectOverloaded() {
    try {
      fail(
          new ProxyError(
              envelope.overloadedStatus(),
              ErrorType.OVERLOADED,
              Outcome.UPSTREAM_ERROR,
              "The proxy is overloaded. Try again shortly."));
    } finally {
      settle();
    }
  }

  private void proxy() throws ProxyError, IOException {
    principal = pipeline.authenticator().authenticate(io.requestHeaders());
    event.principal(principal);

    Route route = pipeline.router().route(io.path());
    envelope = route.profile();
    event.path(route.upstreamPath().isEmpty() ? "/" : route.upstreamPath());

    byte[] body = readBody();
    RequestPeek peek = RequestPeek.of(body, io.requestHeaders().first("content-type").orElse(null));
    event.model(peek.model());
    pipeline.authorizer().authorize(principal, route, peek);

    price = pipeline.prices().price(peek.model());
    maxOutputTokens =
        peek.maxTokens() >= 0
            ? peek.maxTokens()
            : peek.model() != null ? pipeline.defaultMaxOutputTokens() : 0;
    reserve(principal, new Charge(1, price.worstCase(body.length, maxOutputTokens)));
    UpstreamCredential credential = pipeline.credentials().resolve(principal, route);
    event.credentialSource(credential.source());

    UpstreamRequest request =
        new UpstreamRequest(
            io.method(),
            route.upstreamUrl(io.rawQuery()),
            route.profile().upstreamHeaders(io.requestHeaders(), credential),
            route.profile().prepareBody(route.upstreamPath(), peek, body));
    relay(send(request));
  }

  private byte[] readBody() throws ProxyError {
    try {
      byte[] body = pipeline.bodyReader().read(io.requestBody(), io.requestContentLength());
      bodyRead = true;
      return body;
    } catch (IOException e) {
      log.debug("Client went away while sending the request body: {}", e.toString());
      throw new ProxyError(499, ErrorType.INVALID_REQUEST, Outcome.CLIENT_CANCELLED, "cancelled");
    }
  }

  private void reserve(Principal principal, Charge estimate) throws ProxyError {
    Decision decision;
    try {
      decision =
          pipeline
              .ledger()
              .reserve(
                  new ReservationRequest(
                      principal,
                      estimate,
                      pipeline.authorizer().rateLimit(principal),
                      pipeline.clock().instant()));
    } catch (RuntimeException e) {
      log.warn("Budget ledger failed; failing closed: {}", e.toString());
      throw ProxyError.unavailable(
          "The proxy cannot check your budget right now. Try again later.");
    }
    rateLimit = decision.rateLimit();
    if (decision instanceof Decision.Denied denied) {
      throw switch (denied.reason()) {
        case RATE_LIMITED ->
            new ProxyError(
                429,
                ErrorType.RATE_LIMIT,
                Outcome.RATE_LIMITED,
                "Rate limit exceeded for your tier. Try again later.",
                denied.retryAfter());
        case REQUEST_BUDGET_EXHAUSTED ->
            new ProxyError(
                429,
                ErrorType.QUOTA,
                Outcome.QUOTA_EXCEEDED,
                "Request budget (max_requests) exhausted for this token.",
                denied.retryAfter());
        case SPEND_BUDGET_EXHAUSTED ->
            new ProxyError(
                429,
                ErrorType.QUOTA,
                Outcome.QUOTA_EXCEEDED,
                "Spend budget (max_spend_usd) exhausted for this token.",
                denied.retryAfter());
      };
    }
    reservation = ((Decision.Granted) decision).reservation();
  }

  private UpstreamResponse send(UpstreamRequest request) throws ProxyError {
    UpstreamCall upstreamCall;
    try {
      upstreamCall = pipeline.upstream().newCall(request);
    } catch (IllegalArgumentException e) {
      // The message may quote a header value, i.e. a credential: log the type only.
      log.error("Upstream request for {} could not be built: {}", envelope.id(), e.getClass());
      throw ProxyError.internal("The proxy could not build the upstream request.");
    }
    call = upstreamCall;
    if (clientGone || stopped) {
      upstreamCall.cancel();
    }
    try {
      UpstreamResponse response = upstreamCall.execute();
      responded = true;
      event.timeToFirstByte(Duration.ofNanos(System.nanoTime() - startNanos));
      return response;
    } catch (IOException e) {
      if (clientGone) {
        outcome = Outcome.CLIENT_CANCELLED;
        throw new ProxyError(499, ErrorType.API_ERROR, Outcome.CLIENT_CANCELLED, "cancelled");
      }
      log.warn("Upstream {} unreachable: {}", envelope.id(), e.toString());
      throw new ProxyError(
          502,
          ErrorType.API_ERROR,
          Outcome.UPSTREAM_ERROR,
          "The upstream provider could not be reached.");
    }
  }

  /** Streams the upstream response to the client, one flush per upstream chunk. */
  private void relay(UpstreamResponse response) {
    try (response) {
      status = response.status();
      outcome = status < 400 ? Outcome.OK : Outcome.UPSTREAM_ERROR;
      Headers.Builder headers = Headers.builder();
      envelope.copyResponseHeaders(response.headers(), headers);
      RateLimitHeaders.add(currentRateLimit(), headers);
      if (status < 400) {
        meter = envelope.meter(response.headers());
      }
      boolean eventStream = BodyRelay.isEventStream(response.headers());
      if (eventStream) {
        headers.set("cache-control", "no-cache, no-transform").set("x-accel-buffering", "no");
      }
      OutputStream out;
      try {
        io.startResponse(status, headers.build());
        out = io.responseBody();
        if (BodyRelay.opensAtOnce(eventStream, response.headers())) {
          out.flush();
        }
      } catch (IOException | RuntimeException e) {
        clientGone();
        outcome = Outcome.CLIENT_CANCELLED;
        return;
      }
      copyEnded(BodyRelay.copy(response.body(), out, response.headers(), meter));
    }
  }

  /** Books how the body copy ended; a client that left also cancels the upstream call. */
  private void copyEnded(BodyRelay.Result copied) {
    switch (copied.end()) {
      case COMPLETE -> {}
      case CLIENT_GONE -> {
        clientGone();
        outcome = Outcome.CLIENT_CANCELLED;
        abort = true;
      }
      case UPSTREAM_BROKE -> {
        if (clientGone) {
          outcome = Outcome.CLIENT_CANCELLED;
        } else {
          log.atLevel(stopped ? Level.DEBUG : Level.WARN) // closing the proxy cut it off
              .log("Upstream body broke off: {}", copied.cause().toString());
          outcome = Outcome.UPSTREAM_ERROR;
        }
        abort = true;
      }
    }
  }

  /** Cancels the upstream call from another thread: the proxy is closing. */
  void stop() {
    stopped = true;
    UpstreamCall current = call;
    if (current != null) {
      current.cancel();
    }
  }

  private void clientGone() {
    clientGone = true;
    UpstreamCall current = call;
    if (current != null) {
      current.cancel();
    }
  }

  private void fail(ProxyError error) {
    outcome = error.outcome();
    status = error.status();
    if (io.isResponseStarted() || error.outcome() == Outcome.CLIENT_CANCELLED) {
      abort = true;
      return;
    }
    Headers.Builder headers = Headers.builder().add("content-type", "application/json");
    RateLimitHeaders.add(currentRateLimit(), headers);
    if (!error.retryAfter().isZero()) {
      long seconds = Math.max(1, (error.retryAfter().toMillis() + 999) / 1000);
      headers.add("retry-after", Long.toString(seconds));
    }
    if (!bodyRead && BodyReader.hasBody(io.requestContentLength(), io.requestHeaders())) {
      // Answered before the body was read (401, 404, 413…): the container would have to drain it
      // or drop the connection under the client's feet; saying so lets the client open a new one.
      headers.add("connection", "close");
    }
    byte[] body = envelope.errorBody(error.type(), error.getMessage());
    headers.add("content-length", Integer.toString(body.length));
    try {
      io.startResponse(status, headers.build());
      OutputStream out = io.responseBody();
      out.write(body);
      out.flush();
    } catch (IOException | RuntimeException e) {
      abort = true;
    }
  }

  /**
   * Settles the reservation first (so the caller's next request sees its budget as it really is),
   * then ends the response, then publishes the event (a slow listener never delays the client).
   * Never throws.
   */
  private void settle() {
    if (stopped) {
      Thread.interrupted(); // the interrupt that stopped the exchange must not stop its settling
    }
    try {
      if (reservation != null) {
        settleReservation();
      }
    } catch (RuntimeException e) {
      log.error("Failed to settle a reservation", e);
    }
    try {
      if (abort) {
        io.abort();
      } else {
        io.complete();
      }
    } catch (RuntimeException e) {
      log.warn("Container failed to end the response: {}", e.toString());
    }
    try {
      event
          .status(status)
          .outcome(outcome == null ? Outcome.UPSTREAM_ERROR : outcome)
          .latency(Duration.ofNanos(System.nanoTime() - startNanos));
      pipeline.listeners().publish(event.build());
    } catch (RuntimeException e) {
      log.error("Failed to publish an exchange event", e);
    }
  }

  private void settleReservation() {
    UpstreamCall sent = call;
    if (sent == null || !sent.requestSent()) {
      try {
        pipeline.ledger().refund(reservation); // it never reached the upstream
      } catch (RuntimeException e) {
        log.error("Budget ledger failed to refund reservation {}", reservation.id(), e);
      }
      return;
    }
    Charge actual;
    try {
      actual = new Charge(1, charge());
    } catch (RuntimeException e) {
      log.error("Could not price the exchange; booking its whole hold", e);
      actual = reservation.estimate(); // never leave a hold open
    }
    try {
      pipeline.ledger().commit(reservation, actual);
    } catch (RuntimeException e) {
      log.error("Budget ledger failed to commit reservation {}", reservation.id(), e);
    }
  }

  /** Books the metered usage on the event and returns what the exchange costs. */
  private long charge() {
    UsageMeter.Metered metered = meter.result();
    long cost =
        Charges.cost(
            responded,
            status,
            outcome,
            metered,
            price,
            maxOutputTokens,
            reservation.estimate().nanoUsd());
    event.usage(metered.usage()).costNanoUsd(cost);
    return cost;
  }

  /** The caller's rate window for headers: known after reserving, else peeked. */
  private RateLimitState currentRateLimit() {
    if (rateLimit != null) {
      return rateLimit;
    }
    if (principal == null) {
      return RateLimitState.unlimited(); // not authenticated: no window to report
    }
    try {
      return pipeline
          .ledger()
          .rateLimit(
              principal, pipeline.authorizer().rateLimit(principal), pipeline.clock().instant());
    } catch (RuntimeException e) {
      return RateLimitState.unlimited();
    }
  }
}
