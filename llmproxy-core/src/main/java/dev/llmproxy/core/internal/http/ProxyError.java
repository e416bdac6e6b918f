package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Outcome;
import java.time.Duration;

/**
 * A failure the proxy answers itself, and the one place that maps each kind of failure to its
 * status, error type and outcome; a provider profile renders it in its envelope. The message is
 * sent to the client, so it must never contain a secret. No stack trace: these are expected
 * outcomes.
 */
public final class ProxyError extends Exception {
  /** Nginx's "client closed request": recorded, never sent (nobody is listening). */
  private static final int CLIENT_CLOSED_REQUEST = 499;

  private final int status;
  private final ErrorType type;
  private final Outcome outcome;
  private final Duration retryAfter;

  private ProxyError(int status, ErrorType type, Outcome outcome, String message) {
    this(status, type, outcome, message, Duration.ZERO);
  }

  private ProxyError(
      int status, ErrorType type, Outcome outcome, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.outcome = outcome;
    this.retryAfter = retryAfter;
  }

  public int status() {
    return status;
  }

  public ErrorType type() {
    return type;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Zero when no {@code Retry-After} should be sent. */
  public Duration retryAfter() {
    return retryAfter;
  }

  public static ProxyError badRequest(String message) {
    return new ProxyError(400, ErrorType.INVALID_REQUEST, Outcome.BAD_REQUEST, message);
  }

  public static ProxyError unauthenticated(String message) {
    return new ProxyError(401, ErrorType.AUTHENTICATION, Outcome.AUTH_DENIED, message);
  }

  public static ProxyError forbidden(String message) {
    return new ProxyError(403, ErrorType.PERMISSION, Outcome.FORBIDDEN, message);
  }

  public static ProxyError tierDenied(String message) {
    return new ProxyError(403, ErrorType.PERMISSION, Outcome.TIER_DENIED, message);
  }

  public static ProxyError notFound(String message) {
    return new ProxyError(404, ErrorType.NOT_FOUND, Outcome.BAD_REQUEST, message);
  }

  public static ProxyError tooLarge(String message) {
    return new ProxyError(413, ErrorType.REQUEST_TOO_LARGE, Outcome.BAD_REQUEST, message);
  }

  /** A store the proxy depends on is down: fail closed. */
  public static ProxyError unavailable(String message) {
    return new ProxyError(503, ErrorType.API_ERROR, Outcome.UPSTREAM_ERROR, message);
  }

  public static ProxyError internal(String message) {
    return new ProxyError(500, ErrorType.API_ERROR, Outcome.UPSTREAM_ERROR, message);
  }

  /** The upstream could not be reached, or broke before answering. */
  public static ProxyError upstreamUnreachable() {
    return new ProxyError(
        502,
        ErrorType.API_ERROR,
        Outcome.UPSTREAM_ERROR,
        "The upstream provider could not be reached.");
  }

  /** The proxy is at its concurrency limit; {@code status} is the provider's overload status. */
  public static ProxyError overloaded(int status) {
    return new ProxyError(
        status,
        ErrorType.OVERLOADED,
        Outcome.UPSTREAM_ERROR,
        "The proxy is overloaded. Try again shortly.");
  }

  /** The client left; nothing is sent. */
  public static ProxyError clientCancelled() {
    return new ProxyError(
        CLIENT_CLOSED_REQUEST, ErrorType.API_ERROR, Outcome.CLIENT_CANCELLED, "cancelled");
  }

  /** A ledger's refusal: 429, with the window's reset as {@code Retry-After} when waiting helps. */
  public static ProxyError denied(Decision.Denied denied) {
    String account = denied.accountId();
    String whose =
        account != null && account.startsWith("team:")
            ? "team " + account.substring("team:".length())
            : "this token";
    return switch (denied.reason()) {
      case RATE_LIMITED ->
          new ProxyError(
              429,
              ErrorType.RATE_LIMIT,
              Outcome.RATE_LIMITED,
              "Rate limit exceeded for your tier. Try again later.",
              denied.retryAfter());
      case TOKEN_RATE_LIMITED ->
          new ProxyError(
              429,
              ErrorType.RATE_LIMIT,
              Outcome.RATE_LIMITED,
              "Token rate limit (tokens per minute) exceeded for " + whose + ". Try again later.",
              denied.retryAfter());
      case REQUEST_BUDGET_EXHAUSTED ->
          new ProxyError(
              429,
              ErrorType.QUOTA,
              Outcome.QUOTA_EXCEEDED,
              "Request budget (max_requests) exhausted for " + whose + ".",
              denied.retryAfter());
      case SPEND_BUDGET_EXHAUSTED ->
          new ProxyError(
              429,
              ErrorType.QUOTA,
              Outcome.QUOTA_EXCEEDED,
              "Spend budget (max_spend_usd) exhausted for " + whose + ".",
              denied.retryAfter());
    };
  }
}
