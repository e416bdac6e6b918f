package dev.llmproxy.core.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.CredentialUnreadableException;
import dev.llmproxy.api.EncryptedKey;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.KeyStatus;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedCredentialStoreTest {
  private static final String KEY = "sk-ant-alice-secret-key-42";
  private static final Principal ALICE = Principal.user("alice", "free");
  private static final Principal BOB = Principal.user("bob", "free");

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final EncryptedKeyStore rows = EncryptedKeyStores.inMemory();
  private final MasterKeyset keyset = MasterKeyset.generate();
  private final EncryptedCredentialStore store = new EncryptedCredentialStore(rows, keyset, clock);

  @Test
  void roundTripStoresCiphertextOnly() {
    assertFalse(store.status("alice", ProviderId.ANTHROPIC).configured());
    KeyStatus saved = store.put("alice", ProviderId.ANTHROPIC, Secret.of(KEY));
    assertEquals(clock.instant(), saved.configuredAt().orElseThrow());

    EncryptedKey row = rows.find("alice", ProviderId.ANTHROPIC).orElseThrow();
    assertFalse(new String(row.ciphertext(), StandardCharsets.ISO_8859_1).contains(KEY));
    UpstreamCredential.ApiKey found =
        (UpstreamCredential.ApiKey) store.find(ALICE, ProviderId.ANTHROPIC).orElseThrow();
    assertEquals(KEY, found.key().reveal());
    assertEquals("user_key", found.source());
    assertTrue(store.find(BOB, ProviderId.ANTHROPIC).isEmpty());
    assertTrue(store.find(ALICE, ProviderId.OPENAI).isEmpty());

    store.delete("alice", ProviderId.ANTHROPIC);
    store.delete("alice", ProviderId.ANTHROPIC); // idempotent
    assertFalse(store.status("alice", ProviderId.ANTHROPIC).configured());
  }

  @Test
  void aCiphertextCopiedToAnotherRowDoesNotDecrypt() {
    store.put("alice", ProviderId.ANTHROPIC, Secret.of(KEY));
    EncryptedKey alices = rows.find("alice", ProviderId.ANTHROPIC).orElseThrow();
    rows.upsert(new EncryptedKey("bob", ProviderId.ANTHROPIC, alices.ciphertext(), Instant.EPOCH));
    rows.upsert(new EncryptedKey("alice", ProviderId.OPENAI, alices.ciphertext(), Instant.EPOCH));

    CredentialUnreadableException wrongUser =
        assertThrows(
            CredentialUnreadableException.class, () -> store.find(BOB, ProviderId.ANTHROPIC));
    assertThrows(CredentialUnreadableException.class, () -> store.find(ALICE, ProviderId.OPENAI));
    assertFalse(wrongUser.getMessage().contains(KEY));
    assertFalse(String.valueOf(wrongUser.getCause()).contains(KEY));
  }

  @Test
  void corruptedCiphertextIsUnreadableNotALeak() {
    store.put("alice", ProviderId.ANTHROPIC, Secret.of(KEY));
    EncryptedKey row = rows.find("alice", ProviderId.ANTHROPIC).orElseThrow();
    byte[] corrupted = row.ciphertext().clone();
    corrupted[corrupted.length - 1] ^= 1;
    rows.upsert(new EncryptedKey("alice", ProviderId.ANTHROPIC, corrupted, row.configuredAt()));
    CredentialUnreadableException e =
        assertThrows(
            CredentialUnreadableException.class, () -> store.find(ALICE, ProviderId.ANTHROPIC));
    assertFalse(e.getMessage().contains(KEY));
  }

  @Test
  void aRotatedKeysetDecryptsOldRowsAndEncryptsWithTheNewKey() {
    store.put("alice", ProviderId.ANTHROPIC, Secret.of(KEY));
    MasterKeyset rotated = MasterKeyset.parse(keyset.toJson()).rotate();
    assertEquals(2, rotated.size());
    EncryptedCredentialStore afterRotation = new EncryptedCredentialStore(rows, rotated, clock);

    assertEquals(
        KEY,
        ((UpstreamCredential.ApiKey) afterRotation.find(ALICE, ProviderId.ANTHROPIC).orElseThrow())
            .key()
            .reveal());

    afterRotation.put("bob", ProviderId.ANTHROPIC, Secret.of("sk-ant-bobs-key"));
    assertThrows(
        CredentialUnreadableException.class,
        () -> store.find(BOB, ProviderId.ANTHROPIC),
        "new rows must use the new primary key, unknown to the old keyset");
  }

  @Test
  void generatedKeysetIsSavedOwnerOnlyAndReloaded(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keyset.json");
    MasterKeyset first = MasterKeyset.loadOrGenerate(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    MasterKeyset again = MasterKeyset.loadOrGenerate(file);
    EncryptedCredentialStore writer = new EncryptedCredentialStore(rows, first, clock);
    EncryptedCredentialStore reader = new EncryptedCredentialStore(rows, again, clock);
    writer.put("alice", ProviderId.ANTHROPIC, Secret.of(KEY));
    assertEquals(
        KEY,
        ((UpstreamCredential.ApiKey) reader.find(ALICE, ProviderId.ANTHROPIC).orElseThrow())
            .key()
            .reveal());
    assertFalse(first.toString().contains("AES"), first.toString());
  }

  @Test
  void requestsReuseTheRowAndAnotherInstancesChangeLandsWithinTheTtl() {
    java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();
    EncryptedKeyStore counting =
        new EncryptedKeyStore() {
          @Override
          public java.util.Optional<EncryptedKey> find(String userId, ProviderId provider) {
            reads.incrementAndGet();
            return rows.find(userId, provider);
          }

          @Override
          public void upsert(EncryptedKey row) {
            rows.upsert(row);
          }

          @Override
          public boolean delete(String userId, ProviderId provider) {
            return rows.delete(userId, provider);
          }
        };
    EncryptedCredentialStore proxy = new EncryptedCredentialStore(counting, keyset, clock);
    EncryptedCredentialStore otherInstance = new EncryptedCredentialStore(rows, keyset, clock);
    for (int i = 0; i < 5; i++) {
      assertTrue(proxy.find(ALICE, ProviderId.ANTHROPIC).isEmpty());
    }
    assertEquals(1, reads.get(), "an absent key is cached too");

    proxy.put("alice", ProviderId.ANTHROPIC, Secret.of(KEY));
    assertEquals(KEY, apiKey(proxy.find(ALICE, ProviderId.ANTHROPIC)), "own change: at once");

    otherInstance.put("alice", ProviderId.ANTHROPIC, Secret.of("sk-ant-replaced"));
    assertEquals(KEY, apiKey(proxy.find(ALICE, ProviderId.ANTHROPIC)));
    clock.advance(EncryptedCredentialStore.CACHE_TTL.plusMillis(1));
    assertEquals("sk-ant-replaced", apiKey(proxy.find(ALICE, ProviderId.ANTHROPIC)));

    proxy.delete("alice", ProviderId.ANTHROPIC);
    assertTrue(proxy.find(ALICE, ProviderId.ANTHROPIC).isEmpty(), "a deleted key is gone at once");
  }

  private static String apiKey(java.util.Optional<UpstreamCredential> credential) {
    return ((UpstreamCredential.ApiKey) credential.orElseThrow()).key().reveal();
  }

  @Test
  void anInvalidKeysetIsRefusedWithoutEchoingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MasterKeyset.parse("{\"key\":\"c2VjcmV0\"}"));
    assertFalse(e.getMessage().contains("c2VjcmV0"));
  }
}
