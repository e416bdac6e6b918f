package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.core.internal.http.BodyReader;
import dev.llmproxy.core.internal.http.ProxyError;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Answers a {@link ProxyError} in the envelope of the route's provider, with the caller's rate
 * window; or, when the answer already started or nobody is listening, marks the response for an
 * abnormal end instead.
 */
final class ErrorWriter {
  private final Budget budget;

  ErrorWriter(Budget budget) {
    this.budget = budget;
  }

  void fail(ExchangeState x, ProxyError error) {
    x.observation.stage("error");
    x.outcome = error.outcome();
    x.status = error.status();
    if (x.io.isResponseStarted() || error.outcome() == Outcome.CLIENT_CANCELLED) {
      x.abort = true;
      return;
    }
    // Answered before the body was read (401, 404, 413…): the container would have to drain it or
    // drop the connection under the client's feet; saying so lets the client open a new one.
    boolean bodyLeftUnread =
        !x.bodyRead && BodyReader.hasBody(x.io.requestContentLength(), x.io.requestHeaders());
    byte[] body = x.route.profile().errorBody(error.type(), error.getMessage());
    try {
      x.io.startResponse(
          x.status,
          ResponseHeaders.forError(
              body.length,
              budget.rateLimit(x),
              error.retryAfter(),
              bodyLeftUnread,
              x.overhead(true)));
      OutputStream out = x.io.responseBody();
      out.write(body);
      out.flush();
    } catch (IOException | RuntimeException e) {
      x.abort = true;
    }
  }
}
