package dev.llmproxy.api;

/**
 * A stored upstream credential exists but cannot be used: its ciphertext does not decrypt, or its
 * file does not parse. The caller gets 500 {@code api_error}; the message is logged and must not
 * contain the secret.
 */
public class CredentialUnreadableException extends RuntimeException {
  public CredentialUnreadableException(String message, Throwable cause) {
    super(message, cause);
  }
}
