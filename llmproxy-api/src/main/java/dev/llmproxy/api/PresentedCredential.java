package dev.llmproxy.api;

import java.util.Objects;

/**
 * The proxy token a caller presented, and where it was found.
 *
 * @param token the token; never printed
 * @param location the header that carried it
 */
public record PresentedCredential(Secret token, Location location) {

  /** The header a proxy token arrived in. */
  public enum Location {
    /** {@code x-api-key: <token>}, as the Anthropic SDKs send it. */
    X_API_KEY,
    /** {@code Authorization: Bearer <token>}, as the OpenAI SDKs send it. */
    BEARER
  }

  public PresentedCredential {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(location, "location");
  }
}
