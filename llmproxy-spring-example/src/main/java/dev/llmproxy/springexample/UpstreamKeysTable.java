package dev.llmproxy.springexample;

import dev.llmproxy.api.EncryptedKey;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.StoreUnavailableException;
import java.sql.Timestamp;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The application's {@code user_upstream_keys} table as llmproxy's {@link EncryptedKeyStore}: it
 * holds only ciphertext, which the library's Tink-based {@code EncryptedCredentialStore} writes and
 * reads. A database failure is a {@link StoreUnavailableException}, so the proxy fails closed
 * (503).
 */
@Repository
public class UpstreamKeysTable implements EncryptedKeyStore {
  private final JdbcClient jdbc;

  UpstreamKeysTable(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public void upsert(EncryptedKey key) {
    guarded(
        () ->
            jdbc.sql(
                    "MERGE INTO user_upstream_keys (user_id, provider, ciphertext, configured_at)"
                        + " KEY (user_id, provider) VALUES (?, ?, ?, ?)")
                .params(
                    key.userId(),
                    key.provider().value(),
                    key.ciphertext(),
                    Timestamp.from(key.configuredAt()))
                .update());
  }

  @Override
  public Optional<EncryptedKey> find(String userId, ProviderId provider) {
    return guarded(
        () ->
            jdbc.sql(
                    "SELECT ciphertext, configured_at FROM user_upstream_keys"
                        + " WHERE user_id = ? AND provider = ?")
                .params(userId, provider.value())
                .query(
                    (row, n) ->
                        new EncryptedKey(
                            userId,
                            provider,
                            row.getBytes("ciphertext"),
                            row.getTimestamp("configured_at").toInstant()))
                .optional());
  }

  @Override
  public boolean delete(String userId, ProviderId provider) {
    return guarded(
        () ->
            jdbc.sql("DELETE FROM user_upstream_keys WHERE user_id = ? AND provider = ?")
                    .params(userId, provider.value())
                    .update()
                > 0);
  }

  private static <T> T guarded(Supplier<T> query) {
    try {
      return query.get();
    } catch (DataAccessException e) {
      throw new StoreUnavailableException("the users' key table is unavailable", e);
    }
  }
}
