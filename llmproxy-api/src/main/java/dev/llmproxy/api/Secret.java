package dev.llmproxy.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret string (an API key, an OAuth access token, an issued proxy token) that never prints.
 *
 * <p>{@link #toString()} returns {@code "Secret[redacted]"}, so a secret inside a record, a log
 * argument or an exception message stays hidden. Only {@link #reveal()} gives the value, and only
 * code that puts it on the wire should call it.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /** Wraps {@code value}, which must be non-empty. */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("secret is empty");
    }
    return new Secret(value);
  }

  /** The secret itself. Call only to send it where it belongs. */
  public String reveal() {
    return value;
  }

  /** Number of characters, which is safe to report. */
  public int length() {
    return value.length();
  }

  /** Compares with {@code other} in time that does not depend on where they differ. */
  public boolean matches(String other) {
    return other != null
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), other.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.matches(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
