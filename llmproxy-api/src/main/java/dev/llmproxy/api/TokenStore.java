package dev.llmproxy.api;

import java.util.List;
import java.util.Optional;

/**
 * Where issued proxy tokens are kept: in memory, in a file, or in the host's own database. Only
 * hashes are stored. Implementations must be thread-safe; throw {@link StoreUnavailableException}
 * when the backing store cannot answer.
 */
public interface TokenStore {
  /** Stores a new token record; its id and hash are unique. */
  void insert(TokenRecord record);

  /** The record whose {@link TokenRecord#tokenHash()} is {@code tokenHash}. */
  Optional<TokenRecord> findByHash(String tokenHash);

  /** The record with {@code id}. */
  Optional<TokenRecord> findById(String id);

  /** Every record, oldest first. */
  List<TokenRecord> list();

  /** Marks token {@code id} revoked; false if there is no such token. Idempotent. */
  boolean revoke(String id);
}
