package dev.llmproxy.core.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.EncryptedKey;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenStore;
import dev.llmproxy.core.credentials.EncryptedCredentialStore;
import dev.llmproxy.core.credentials.EncryptedKeyStores;
import dev.llmproxy.core.credentials.MasterKeyset;
import dev.llmproxy.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoresTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));

  @Test
  void tokenFileKeepsHashesOnlyOwnerReadableAndSharedBetweenInstances() throws Exception {
    Path file = dir.resolve("tokens.json");
    IssuedTokens writer = IssuedTokens.builder(TokenStores.file(file)).clock(clock).build();
    TokenSpec spec =
        new TokenSpec(
            "alice",
            dev.llmproxy.api.Principal.Kind.SERVICE,
            "pro",
            Optional.of(Instant.parse("2027-01-01T00:00:00Z")),
            OptionalLong.of(100),
            OptionalLong.of(5_000_000_000L),
            List.of("claude-*"),
            Set.of(ProviderId.ANTHROPIC));
    IssuedTokens.Issued issued = writer.issue(spec);

    String content = Files.readString(file);
    assertFalse(content.contains(issued.token().reveal()), content);
    assertFalse(content.contains(issued.token().reveal().substring(6)), content);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    // Another process's view (a fresh store on the same file) sees the token and its fields.
    TokenStore reader = TokenStores.file(file);
    TokenRecord record = reader.findById(issued.record().id()).orElseThrow();
    assertEquals(issued.record(), record);
    IssuedTokens readerTokens = IssuedTokens.builder(reader).clock(clock).build();
    assertTrue(
        readerTokens.resolve(
                new PresentedCredential(issued.token(), PresentedCredential.Location.BEARER))
            instanceof TokenResolution.Authenticated);

    // A revocation by one instance is seen by the other's store on its next read.
    writer.revoke(issued.record().id());
    assertTrue(reader.findById(issued.record().id()).orElseThrow().revoked());
    assertEquals(1, reader.list().size());
  }

  @Test
  void duplicateTokensAreRefused() {
    TokenStore store = TokenStores.file(dir.resolve("tokens.json"));
    IssuedTokens tokens = IssuedTokens.builder(store).clock(clock).build();
    TokenRecord record = tokens.issue(TokenSpec.user("a", "free")).record();
    assertThrows(IllegalStateException.class, () -> store.insert(record));
  }

  @Test
  void keyFileHoldsCiphertextOnly() throws Exception {
    Path file = dir.resolve("keys.json");
    EncryptedKeyStore rows = EncryptedKeyStores.file(file);
    EncryptedCredentialStore keys =
        new EncryptedCredentialStore(rows, MasterKeyset.generate(), clock);
    String key = "sk-ant-plaintext-must-not-appear";
    keys.put("alice", ProviderId.ANTHROPIC, Secret.of(key));

    assertFalse(Files.readString(file, StandardCharsets.UTF_8).contains(key));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    EncryptedKey row =
        EncryptedKeyStores.file(file).find("alice", ProviderId.ANTHROPIC).orElseThrow();
    assertEquals(clock.instant(), row.configuredAt());
    assertTrue(EncryptedKeyStores.file(file).delete("alice", ProviderId.ANTHROPIC));
    assertTrue(rows.find("alice", ProviderId.ANTHROPIC).isEmpty(), "deletion seen by the other");
    assertFalse(rows.delete("alice", ProviderId.ANTHROPIC));
  }
}
