package dev.llmproxy.api;

import java.util.Locale;

/** How an exchange ended, as reported in {@link ProxyEvent}s and the audit log. */
public enum Outcome {
  /** The upstream answered 2xx/3xx and the whole response reached the client. */
  OK,
  /** No token, an unknown token, or an expired one (401). */
  AUTH_DENIED,
  /** A revoked token, a missing upstream credential, or another permission failure (403). */
  FORBIDDEN,
  /** The tier's request rate was exceeded (429). */
  RATE_LIMITED,
  /** A {@code max_requests} or spend budget was exhausted (429). */
  QUOTA_EXCEEDED,
  /** The model or provider is not allowed for the token or its tier (403). */
  TIER_DENIED,
  /** The request was malformed, too large, or named an unknown route (400, 404, 413). */
  BAD_REQUEST,
  /**
   * The upstream answered with an error or could not be reached, or the proxy itself could not
   * serve the request (a store outage, an overload).
   */
  UPSTREAM_ERROR,
  /** The client went away before the response was complete; the upstream call was cancelled. */
  CLIENT_CANCELLED;

  /** The wire name, e.g. {@code client_cancelled}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
