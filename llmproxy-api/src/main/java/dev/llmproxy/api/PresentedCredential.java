package dev.llmproxy.api;

import java.util.Objects;
import java.util.Optional;

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

  /**
   * The proxy token in {@code headers}: {@code x-api-key}, or {@code Authorization: Bearer}. Empty
   * when neither carries one.
   *
   * @throws IllegalArgumentException if the two headers carry different tokens: refusing is safer
   *     than guessing which one the caller meant
   */
  public static Optional<PresentedCredential> from(Headers headers) {
    String apiKey = headers.first("x-api-key").map(String::trim).orElse("");
    String bearer = headers.first("authorization").map(PresentedCredential::bearer).orElse("");
    if (!apiKey.isEmpty() && !bearer.isEmpty() && !apiKey.equals(bearer)) {
      throw new IllegalArgumentException("x-api-key and Authorization carry different tokens");
    }
    if (!apiKey.isEmpty()) {
      return Optional.of(new PresentedCredential(Secret.of(apiKey), Location.X_API_KEY));
    }
    if (!bearer.isEmpty()) {
      return Optional.of(new PresentedCredential(Secret.of(bearer), Location.BEARER));
    }
    return Optional.empty();
  }

  private static String bearer(String authorization) {
    String value = authorization.trim();
    return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : "";
  }
}
