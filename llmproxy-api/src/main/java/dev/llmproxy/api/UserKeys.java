package dev.llmproxy.api;

/**
 * The management side of a credential store that accepts per-user keys ("bring your own key"): what
 * the self-service key API and web page call. Keys go in; only their status comes out.
 */
public interface UserKeys {
  /** Whether {@code userId} has a key for {@code provider}. */
  KeyStatus status(String userId, ProviderId provider);

  /** Saves or replaces {@code userId}'s key for {@code provider}. */
  KeyStatus put(String userId, ProviderId provider, Secret key);

  /** Removes {@code userId}'s key for {@code provider}, if any. */
  void delete(String userId, ProviderId provider);
}
