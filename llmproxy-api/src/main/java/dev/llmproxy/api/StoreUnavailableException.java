package dev.llmproxy.api;

/**
 * Thrown by an SPI implementation whose backing store (a database, a remote service) cannot answer
 * right now. The engine fails closed: the caller gets 503 and nothing is forwarded.
 *
 * <p>The message must not contain secrets; it is logged, never sent to the caller.
 */
public class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreUnavailableException(String message) {
    super(message);
  }
}
