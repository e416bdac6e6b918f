package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Outcome;
import java.time.Duration;

/**
 * A failure the proxy answers itself, in the caller's provider envelope. The message is sent to the
 * client, so it must never contain a secret. No stack trace: these are expected outcomes.
 */
public final class ProxyError extends Exception {
  private final int status;
  private final ErrorType type;
  private final Outcome outcome;
  private final Duration retryAfter;

  public ProxyError(int status, ErrorType type, Outcome outcome, String message) {
    this(status, type, outcome, message, Duration.ZERO);
  }

  public ProxyError(
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

  public static ProxyError unavailable(String message) {
    return new ProxyError(503, ErrorType.API_ERROR, Outcome.UPSTREAM_ERROR, message);
  }

  public static ProxyError internal(String message) {
    return new ProxyError(500, ErrorType.API_ERROR, Outcome.UPSTREAM_ERROR, message);
  }
}
