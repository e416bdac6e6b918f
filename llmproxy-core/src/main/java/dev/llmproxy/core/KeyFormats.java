package dev.llmproxy.core;

import dev.llmproxy.api.ProviderId;
import java.util.Map;
import java.util.Optional;

/**
 * What a user's own upstream key must look like, per provider: its prefix and maximum length. Keys
 * that fail are refused at once, before they are encrypted and stored.
 */
public final class KeyFormats {
  /** Longest accepted key. */
  public static final int MAX_LENGTH = 256;

  private static final Map<ProviderId, String> PREFIXES =
      Map.of(ProviderId.ANTHROPIC, "sk-ant-", ProviderId.OPENAI, "sk-");

  private KeyFormats() {}

  /** The providers that accept user keys, with the prefix each requires. */
  public static Map<ProviderId, String> prefixes() {
    return PREFIXES;
  }

  /** Why {@code key} is not a valid key for {@code provider}, or empty if it is. */
  public static Optional<String> problem(ProviderId provider, String key) {
    String prefix = PREFIXES.get(provider);
    if (prefix == null) {
      return Optional.of("Provider " + provider + " does not accept user keys.");
    }
    if (key.isEmpty() || key.isBlank()) {
      return Optional.of("Field 'key' must not be empty.");
    }
    if (key.length() > MAX_LENGTH) {
      return Optional.of("Field 'key' is longer than " + MAX_LENGTH + " characters.");
    }
    if (!key.startsWith(prefix)) {
      return Optional.of("Field 'key' must start with '" + prefix + "' for " + provider + ".");
    }
    if (!HeaderValues.isVisibleAscii(key)) {
      return Optional.of("Field 'key' contains whitespace or non-ASCII characters.");
    }
    return Optional.empty();
  }
}
