package dev.llmproxy.api;

import java.util.Optional;

/**
 * Rows of encrypted per-user upstream keys, one per (user, provider). Encryption happens above this
 * interface, so an implementation only stores bytes: a host can keep them in its own database.
 * Thread-safe; throw {@link StoreUnavailableException} when the store cannot answer.
 */
public interface EncryptedKeyStore {
  /** Inserts or replaces the row for ({@code key.userId()}, {@code key.provider()}). */
  void upsert(EncryptedKey key);

  /** The row for ({@code userId}, {@code provider}). */
  Optional<EncryptedKey> find(String userId, ProviderId provider);

  /** Deletes the row; false if there was none. */
  boolean delete(String userId, ProviderId provider);
}
