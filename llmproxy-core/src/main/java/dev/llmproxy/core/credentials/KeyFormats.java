package dev.llmproxy.core.credentials;

import dev.llmproxy.api.ProviderId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a user's own upstream key must look like, per provider that accepts them: a required prefix
 * ({@code sk-ant-} for Anthropic, {@code sk-} for OpenAI, none for some compatible upstreams) and
 * at most {@value #MAX_LENGTH} visible ASCII characters. Keys that fail are refused before they are
 * encrypted and stored.
 */
public final class KeyFormats {
  /** Longest accepted key. */
  public static final int MAX_LENGTH = 256;

  private static final KeyFormats DEFAULTS =
      new KeyFormats(Map.of(ProviderId.ANTHROPIC, "sk-ant-", ProviderId.OPENAI, "sk-"));

  private final Map<ProviderId, String> prefixes;

  private KeyFormats(Map<ProviderId, String> prefixes) {
    this.prefixes = Map.copyOf(prefixes);
  }

  /** Anthropic and OpenAI. */
  public static KeyFormats defaults() {
    return DEFAULTS;
  }

  /** These formats plus {@code provider}, whose keys must start with {@code prefix} ("" = any). */
  public KeyFormats with(ProviderId provider, String prefix) {
    Map<ProviderId, String> copy = new HashMap<>(prefixes);
    copy.put(provider, prefix);
    return new KeyFormats(copy);
  }

  /** Whether users may store keys for {@code provider}. */
  public boolean accepts(ProviderId provider) {
    return prefixes.containsKey(provider);
  }

  /** The providers that accept user keys. */
  public java.util.Set<ProviderId> providers() {
    return prefixes.keySet();
  }

  /** Why {@code key} is not a valid key for {@code provider}, or empty if it is. */
  public Optional<String> problem(ProviderId provider, String key) {
    String prefix = prefixes.get(provider);
    if (prefix == null) {
      return Optional.of("Provider " + provider + " does not accept user keys.");
    }
    if (key.isBlank()) {
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
