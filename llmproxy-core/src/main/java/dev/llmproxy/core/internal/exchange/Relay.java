package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.ProxyExchange;
import dev.llmproxy.core.internal.http.BodyRelay;
import dev.llmproxy.core.internal.http.ContentTypes;
import dev.llmproxy.core.internal.provider.ProviderProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The respond step, run once the stages returned the upstream's response: sends the upstream's
 * status and allowed headers, then copies its body to the client chunk by chunk, a meter reading a
 * copy of each chunk. Records how the copy ended: a client that left cancels the upstream call, and
 * a body that broke off ends the client's response abnormally, never cleanly. A body of known
 * length is booked before its last chunk leaves, as the client sees it whole with that chunk.
 */
final class Relay {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  private final Budget budget;
  private final boolean nonBlocking;

  Relay(Budget budget, boolean nonBlocking) {
    this.budget = budget;
    this.nonBlocking = nonBlocking;
  }

  /**
   * Whether relaying {@code response} would block a thread: the proxy was built for a relay that
   * does not, but the response's body or the client's output can only be driven by blocking.
   */
  boolean wouldBlock(ExchangeState x, UpstreamResponse response) {
    return nonBlocking
        && (response.nonBlockingBody().isEmpty() || x.io.nonBlockingOutput().isEmpty());
  }

  /**
   * Relays {@code response}; returns a {@link StreamPump} that carries on without this thread once
   * the headers are sent, if both sides can be driven without blocking and the proxy was built for
   * it, or {@code null} once the body was copied here (or could not start).
   */
  StreamPump relay(ExchangeState x, UpstreamResponse response) {
    Optional<NonBlockingBody> in = nonBlocking ? response.nonBlockingBody() : Optional.empty();
    Optional<ProxyExchange.NonBlockingOutput> out =
        in.isPresent() ? x.io.nonBlockingOutput() : Optional.empty();
    boolean detached = false;
    try {
      ProviderProfile profile = x.route.profile();
      Headers upstream = response.headers();
      x.status = response.status();
      x.outcome = x.status < 400 ? Outcome.OK : Outcome.UPSTREAM_ERROR;
      if (x.status < 400) {
        x.meter = profile.meter(upstream);
      }
      boolean eventStream = ContentTypes.isEventStream(upstream);
      Headers headers =
          ResponseHeaders.forAnswer(
              profile, upstream, eventStream, budget.rateLimit(x), x.overhead(true));
      boolean opensAtOnce = BodyRelay.opensAtOnce(eventStream, upstream);
      if (out.isPresent()) {
        try {
          x.io.startResponse(x.status, headers);
        } catch (IOException | RuntimeException e) {
          x.clientGone();
          x.outcome = Outcome.CLIENT_CANCELLED;
          return null;
        }
        StreamPump pump =
            new StreamPump(
                x,
                response,
                in.get(),
                out.get(),
                BodyRelay.bufferSize(upstream),
                opensAtOnce,
                BodyRelay.declaredLength(upstream),
                () -> budget.settle(x));
        detached = true; // the pump closes the response from here on
        return pump;
      }
      OutputStream body;
      try {
        x.io.startResponse(x.status, headers);
        body = x.io.responseBody();
        if (opensAtOnce) {
          body.flush();
        }
      } catch (IOException | RuntimeException e) {
        x.clientGone();
        x.outcome = Outcome.CLIENT_CANCELLED;
        return null;
      }
      ended(x, BodyRelay.copy(response.body(), body, upstream, x.meter, () -> budget.settle(x)));
      return null;
    } finally {
      if (!detached) {
        response.close();
      }
    }
  }

  /** Records how the copy of the body ended. */
  static void ended(ExchangeState x, BodyRelay.Result copied) {
    switch (copied.end()) {
      case COMPLETE -> {}
      case CLIENT_GONE -> {
        x.clientGone();
        x.outcome = Outcome.CLIENT_CANCELLED;
        x.abort = true;
      }
      case UPSTREAM_BROKE -> {
        if (x.isClientGone()) {
          x.outcome = Outcome.CLIENT_CANCELLED;
        } else {
          log.atLevel(x.isStopped() ? Level.DEBUG : Level.WARN) // closing the proxy cut it off
              .log("Upstream body broke off: {}", copied.cause().toString());
          x.outcome = Outcome.UPSTREAM_ERROR;
        }
        x.abort = true;
      }
    }
  }
}
