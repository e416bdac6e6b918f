package dev.llmproxy.core.internal.http;

/**
 * The kinds of error the proxy itself originates. Each provider profile renders them in its own
 * envelope; the wire names here are Anthropic's.
 */
public enum ErrorType {
  INVALID_REQUEST("invalid_request_error"),
  AUTHENTICATION("authentication_error"),
  PERMISSION("permission_error"),
  NOT_FOUND("not_found_error"),
  REQUEST_TOO_LARGE("request_too_large"),
  RATE_LIMIT("rate_limit_error"),
  /** A spend or request budget is used up: Anthropic calls it a rate limit too. */
  QUOTA("rate_limit_error"),
  API_ERROR("api_error"),
  OVERLOADED("overloaded_error");

  private final String anthropicName;

  ErrorType(String anthropicName) {
    this.anthropicName = anthropicName;
  }

  public String anthropicName() {
    return anthropicName;
  }

  /** The type a container-level rejection with {@code status} maps to. */
  public static ErrorType forStatus(int status) {
    return switch (status) {
      case 401 -> AUTHENTICATION;
      case 403 -> PERMISSION;
      case 404 -> NOT_FOUND;
      case 413 -> REQUEST_TOO_LARGE;
      case 429 -> RATE_LIMIT;
      case 529 -> OVERLOADED;
      default -> status >= 400 && status < 500 ? INVALID_REQUEST : API_ERROR;
    };
  }
}
