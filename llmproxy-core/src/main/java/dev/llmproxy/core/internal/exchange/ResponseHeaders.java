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

  private ResponseHeaders() {}

  /** The headers of a relayed upstream answer. */
  static Headers forAnswer(
      ProviderProfile profile, Headers upstream, boolean eventStream, RateLimitState rate) {
    Headers.Builder headers = Headers.builder();
    profile.copyResponseHeaders(upstream, headers);
    addRateLimit(rate, headers);
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
   */
  static Headers forError(
      int bodyLength, RateLimitState rate, Duration retryAfter, boolean closeConnection) {
    Headers.Builder headers = Headers.builder().add("content-type", ERROR_CONTENT_TYPE);
    addRateLimit(rate, headers);
    if (!retryAfter.isZero()) {
      long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      headers.add("retry-after", Long.toString(seconds));
    }
    if (closeConnection) {
      headers.add("connection", "close");
    }
    return headers.add("content-length", Integer.toString(bodyLength)).build();
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
