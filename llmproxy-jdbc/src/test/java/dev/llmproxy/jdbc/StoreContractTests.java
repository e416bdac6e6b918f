package dev.llmproxy.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.EncryptedKey;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.api.TokenStore;
import dev.llmproxy.core.credentials.EncryptedKeyStores;
import dev.llmproxy.core.tokens.TokenStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The token-store and key-store contracts, bound to memory, a file, H2 and PostgreSQL. */
class StoreContractTests {

  abstract static class TokenStoreContract {
    abstract TokenStore store() throws Exception;

    static TokenRecord record(String id, String hash, Instant created) {
      return new TokenRecord(
          id,
          hash,
          "alice",
          Principal.Kind.SERVICE,
          "pro",
          created,
          Optional.of(Instant.parse("2027-01-01T00:00:00Z")),
          OptionalLong.of(100),
          OptionalLong.of(5_000_000_000L),
          List.of("claude-*", "gpt-4o*"),
          Set.of(ProviderId.ANTHROPIC, ProviderId.OPENAI),
          false);
    }

    @Test
    void roundTripsEveryFieldAndFindsByHashAndId() throws Exception {
      TokenStore store = store();
      TokenRecord a = record("tok_a", "a".repeat(64), Instant.parse("2026-11-23T10:00:00Z"));
      TokenRecord b =
          new TokenRecord(
              "tok_b",
              "b".repeat(64),
              "bob",
              Principal.Kind.USER,
              "free",
              Instant.parse("2026-11-23T11:00:00Z"),
              Optional.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              List.of(),
              Set.of(),
              false);
      store.insert(b);
      store.insert(a);
      assertEquals(a, store.findByHash("a".repeat(64)).orElseThrow());
      assertEquals(b, store.findById("tok_b").orElseThrow());
      assertTrue(store.findByHash("c".repeat(64)).isEmpty());
      assertEquals(List.of(a, b), store.list(), "oldest first");
    }

    @Test
    void revokeIsIdempotentAndDuplicatesAreRefused() throws Exception {
      TokenStore store = store();
      TokenRecord a = record("tok_a", "a".repeat(64), Instant.parse("2026-11-23T10:00:00Z"));
      store.insert(a);
      assertThrows(IllegalStateException.class, () -> store.insert(a));
      assertTrue(store.revoke("tok_a"));
      assertTrue(store.revoke("tok_a"));
      assertFalse(store.revoke("tok_none"));
      assertTrue(store.findById("tok_a").orElseThrow().revoked());
    }
  }

  abstract static class KeyStoreContract {
    abstract EncryptedKeyStore store() throws Exception;

    @Test
    void upsertFindDelete() throws Exception {
      EncryptedKeyStore store = store();
      byte[] first = {1, 2, 3, 0, -1};
      byte[] second = {9, 9};
      store.upsert(
          new EncryptedKey("alice", ProviderId.ANTHROPIC, first, Instant.ofEpochMilli(1000)));
      store.upsert(
          new EncryptedKey("alice", ProviderId.ANTHROPIC, second, Instant.ofEpochMilli(2000)));
      store.upsert(new EncryptedKey("alice", ProviderId.OPENAI, first, Instant.ofEpochMilli(3000)));
      EncryptedKey found = store.find("alice", ProviderId.ANTHROPIC).orElseThrow();
      assertArrayEquals(second, found.ciphertext());
      assertEquals(Instant.ofEpochMilli(2000), found.configuredAt());
      assertTrue(store.find("bob", ProviderId.ANTHROPIC).isEmpty());
      assertTrue(store.delete("alice", ProviderId.ANTHROPIC));
      assertFalse(store.delete("alice", ProviderId.ANTHROPIC));
      assertTrue(store.find("alice", ProviderId.ANTHROPIC).isEmpty());
      assertTrue(store.find("alice", ProviderId.OPENAI).isPresent(), "other rows untouched");
    }
  }

  @Nested
  class InMemoryTokens extends TokenStoreContract {
    @Override
    TokenStore store() {
      return TokenStores.inMemory();
    }
  }

  @Nested
  class FileTokens extends TokenStoreContract {
    @Override
    TokenStore store() throws Exception {
      return TokenStores.file(Files.createTempDirectory("llmproxy-tokens").resolve("t.json"));
    }
  }

  @Nested
  class H2Tokens extends TokenStoreContract {
    HikariDataSource dataSource;

    @Override
    TokenStore store() {
      dataSource = Databases.h2();
      return new JdbcTokenStore(dataSource);
    }

    @AfterEach
    void close() {
      dataSource.close();
    }
  }

  @Nested
  class PostgresTokens extends TokenStoreContract {
    HikariDataSource dataSource;

    @Override
    TokenStore store() throws Exception {
      dataSource = Databases.postgres();
      return new JdbcTokenStore(dataSource);
    }

    @AfterEach
    void close() {
      if (dataSource != null) {
        dataSource.close();
      }
    }
  }

  @Nested
  class InMemoryKeys extends KeyStoreContract {
    @Override
    EncryptedKeyStore store() {
      return EncryptedKeyStores.inMemory();
    }
  }

  @Nested
  class FileKeys extends KeyStoreContract {
    @Override
    EncryptedKeyStore store() throws Exception {
      Path dir = Files.createTempDirectory("llmproxy-keys");
      return EncryptedKeyStores.file(dir.resolve("k.json"));
    }
  }

  @Nested
  class H2Keys extends KeyStoreContract {
    HikariDataSource dataSource;

    @Override
    EncryptedKeyStore store() {
      dataSource = Databases.h2();
      return new JdbcEncryptedKeyStore(dataSource);
    }

    @AfterEach
    void close() {
      dataSource.close();
    }
  }

  @Nested
  class PostgresKeys extends KeyStoreContract {
    HikariDataSource dataSource;

    @Override
    EncryptedKeyStore store() throws Exception {
      dataSource = Databases.postgres();
      return new JdbcEncryptedKeyStore(dataSource);
    }

    @AfterEach
    void close() {
      if (dataSource != null) {
        dataSource.close();
      }
    }
  }
}
