package dev.llmproxy.jdbc;

import dev.llmproxy.api.EncryptedKey;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.ProviderId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/** Encrypted per-user upstream keys (ciphertext only) in {@code llmproxy_user_keys}. */
public final class JdbcEncryptedKeyStore implements EncryptedKeyStore {
  private final DataSource dataSource;

  public JdbcEncryptedKeyStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Update, else insert; a concurrent insert turns into an update. Portable, no MERGE. */
  @Override
  public void upsert(EncryptedKey key) {
    try {
      tryUpsert(key);
    } catch (dev.llmproxy.api.StoreUnavailableException e) {
      if (!(e.getCause() instanceof java.sql.SQLException sql && Sql.isConcurrentInsert(sql))) {
        throw e;
      }
      tryUpsert(key); // the row exists now: this time the UPDATE finds it
    }
  }

  private void tryUpsert(EncryptedKey key) {
    Sql.transaction(
        dataSource,
        "save user key",
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE llmproxy_user_keys SET ciphertext = ?, configured_at = ?"
                      + " WHERE user_id = ? AND provider = ?")) {
            update.setBytes(1, key.ciphertext());
            update.setLong(2, key.configuredAt().toEpochMilli());
            update.setString(3, key.userId());
            update.setString(4, key.provider().value());
            if (update.executeUpdate() == 1) {
              return null;
            }
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO llmproxy_user_keys (user_id, provider, ciphertext, configured_at)"
                      + " VALUES (?,?,?,?)")) {
            insert.setString(1, key.userId());
            insert.setString(2, key.provider().value());
            insert.setBytes(3, key.ciphertext());
            insert.setLong(4, key.configuredAt().toEpochMilli());
            insert.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public Optional<EncryptedKey> find(String userId, ProviderId provider) {
    return Sql.run(
        dataSource,
        "find user key",
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT ciphertext, configured_at FROM llmproxy_user_keys"
                      + " WHERE user_id = ? AND provider = ?")) {
            select.setString(1, userId);
            select.setString(2, provider.value());
            try (ResultSet rows = select.executeQuery()) {
              return rows.next()
                  ? Optional.of(
                      new EncryptedKey(
                          userId,
                          provider,
                          rows.getBytes(1),
                          Instant.ofEpochMilli(rows.getLong(2))))
                  : Optional.empty();
            }
          }
        });
  }

  @Override
  public boolean delete(String userId, ProviderId provider) {
    return Sql.run(
        dataSource,
        "delete user key",
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM llmproxy_user_keys WHERE user_id = ? AND provider = ?")) {
            delete.setString(1, userId);
            delete.setString(2, provider.value());
            return delete.executeUpdate() == 1;
          }
        });
  }
}
