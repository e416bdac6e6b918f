package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.BodyRelay;
import dev.llmproxy.core.internal.http.ContentTypes;
import dev.llmproxy.core.internal.provider.ProviderProfile;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The respond step, run once the stages returned the upstream's response: sends the upstream's
 * status and allowed headers, then copies its body to the client chunk by chunk, a meter reading a
 * copy of each chunk. Records how the copy ended: a client that left cancels the upstream call, and
 * a body that broke off ends the client's response abnormally, never cleanly.
 */
final class Relay {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  private final Budget budget;

  Relay(Budget budget) {
    this.budget = budget;
  }

  void relay(ExchangeState x, UpstreamResponse response) {
    try (response) {
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
      OutputStream out;
      try {
        x.io.startResponse(x.status, headers);
        out = x.io.responseBody();
        if (BodyRelay.opensAtOnce(eventStream, upstream)) {
          out.flush();
        }
      } catch (IOException | RuntimeException e) {
        x.clientGone();
        x.outcome = Outcome.CLIENT_CANCELLED;
        return;
      }
      ended(x, BodyRelay.copy(response.body(), out, upstream, x.meter));
    }
  }

  private static void ended(ExchangeState x, BodyRelay.Result copied) {
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
