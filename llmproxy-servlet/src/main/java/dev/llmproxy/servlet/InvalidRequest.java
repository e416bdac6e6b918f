package dev.llmproxy.servlet;

/** A management request whose body is invalid; the message names the field and is sent as is. */
final class InvalidRequest extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidRequest(String message) {
    super(message, null, false, false);
  }
}
