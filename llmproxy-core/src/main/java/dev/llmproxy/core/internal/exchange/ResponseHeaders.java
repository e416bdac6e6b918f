package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.core.internal.provider.ProviderProfile;
import java.time.Duration;

/**
 * The only place response headers are decided, for upstream answers and the proxy's own errors
 * alike: the provider's allow-list of upstream headers, the caller's {@code X-RateLimit-*} window,
 * the headers that stop intermediaries from buffering a stream, and an error's type, length, {@code
 * Retry-After} and {@code Connection}. Framing ({@code Transfer-Encoding}) is the container's.
 */
final class ResponseHeaders {
  /** The content type of every error the proxy answers itself. */
  static final String ERROR_CONTENT_TYPE = "application/json";

  /**
   * The proxy's own time before the answer's headers, in milliseconds as a decimal (see {@link
   * ExchangeState#overhead}): on every answer, relayed or the proxy's own.
   */
  static final String OVERHEAD = "x-llmproxy-overhead-ms";

  private ResponseHeaders() {}

  /** The headers of a relayed upstream answer. */
  static Headers forAnswer(
      ProviderProfile profile,
      Headers upstream,
      boolean eventStream,
      RateLimitState rate,
      Duration overhead) {
    Headers.Builder headers = Headers.builder();
    profile.copyResponseHeaders(upstream, headers);
    addRateLimit(rate, headers);
    headers.set(OVERHEAD, millis(overhead));
    if (eventStream) {
      // A reverse proxy or CDN in front of the host must pass each event on at once.
      headers.set("cache-control", "no-cache, no-transform").set("x-accel-buffering", "no");
    }
    return headers.build();
  }

  /**
   * The headers of an error the proxy answers itself.
   *
   * @param retryAfter zero for none
   * @param closeConnection whether the request body was left unread, so the connection cannot be
   *     reused
   * @param overhead the proxy's own time until now
   */
  static Headers forError(
      int bodyLength,
      RateLimitState rate,
      Duration retryAfter,
      boolean closeConnection,
      Duration overhead) {
    Headers.Builder headers = Headers.builder().add("content-type", ERROR_CONTENT_TYPE);
    addRateLimit(rate, headers);
    headers.add(OVERHEAD, millis(overhead));
    if (!retryAfter.isZero()) {
      long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      headers.add("retry-after", Long.toString(seconds));
    }
    if (closeConnection) {
      headers.add("connection", "close");
    }
    return headers.add("content-length", Integer.toString(bodyLength)).build();
  }

  /** {@code duration} in milliseconds with three decimals (microseconds), e.g. {@code 0.412}. */
  static String millis(Duration duration) {
    long micros = duration.toNanos() / 1000;
    long fraction = micros % 1000;
    return (micros / 1000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
  }

  private static void addRateLimit(RateLimitState state, Headers.Builder headers) {
    if (state.isLimited()) {
      headers
          .set("x-ratelimit-limit", Long.toString(state.limit()))
          .set("x-ratelimit-remaining", Long.toString(Math.max(0, state.remaining())))
          .set("x-ratelimit-reset", Long.toString(state.resetAt().getEpochSecond()));
    }
    if (state.limitsTokens()) {
      headers
          .set("x-ratelimit-limit-tokens", Long.toString(state.tokenLimit()))
          .set("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, state.tokensRemaining())))
          .set("x-ratelimit-reset-tokens", Long.toString(state.resetAt().getEpochSecond()));
    }
  }
}
