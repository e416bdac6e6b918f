package dev.llmproxy.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of an upstream provider as it appears in the route {@code /proxy/{provider}/…}:
 * lower-case letters, digits, {@code -} and {@code _}, at most 64 characters.
 */
public record ProviderId(String value) {
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /** Anthropic's Messages API. */
  public static final ProviderId ANTHROPIC = new ProviderId("anthropic");

  /** OpenAI's API. */
  public static final ProviderId OPENAI = new ProviderId("openai");

  public ProviderId {
    Objects.requireNonNull(value, "value");
    if (!VALID.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid provider id: " + value);
    }
  }

  /** Returns the provider id named {@code value}. */
  public static ProviderId of(String value) {
    return new ProviderId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
