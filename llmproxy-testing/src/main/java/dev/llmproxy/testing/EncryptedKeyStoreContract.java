package dev.llmproxy.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.EncryptedKey;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.ProviderId;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EncryptedKeyStore} must do, as a JUnit 5 suite: extend it and return a fresh,
 * empty store from {@link #store()}.
 */
public abstract class EncryptedKeyStoreContract {
  /** A fresh, empty store. */
  protected abstract EncryptedKeyStore store() throws Exception;

  @Test
  public void upsertFindDelete() throws Exception {
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
