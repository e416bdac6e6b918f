package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.RateLimitState;

/** Writes a caller's rate-limit window as {@code X-RateLimit-*} headers. */
public final class RateLimitHeaders {
  private RateLimitHeaders() {}

  public static void add(RateLimitState state, Headers.Builder headers) {
    if (!state.isLimited()) {
      return;
    }
    headers
        .set("x-ratelimit-limit", Long.toString(state.limit()))
        .set("x-ratelimit-remaining", Long.toString(Math.max(0, state.remaining())))
        .set("x-ratelimit-reset", Long.toString(state.resetAt().getEpochSecond()));
  }
}
