package dev.llmproxy.core.credentials;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.crypto.tink.Aead;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.CredentialUnreadableException;
import dev.llmproxy.api.EncryptedKey;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.KeyStatus;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.api.UserKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Users' own upstream keys, encrypted with Tink AEAD (AES-256-GCM) before they reach the {@link
 * EncryptedKeyStore}. The associated data binds each ciphertext to its (user, provider), so a
 * ciphertext copied to another user's row fails to decrypt instead of leaking a key.
 *
 * <p>Rows (ciphertexts, never plaintext keys) are cached for {@link #CACHE_TTL}, absent ones too,
 * so a proxied request does not read the store; changes through this object take effect at once,
 * changes by another instance sharing the store within the TTL.
 */
public final class EncryptedCredentialStore implements CredentialStore, UserKeys {
  /** The {@link UpstreamCredential#source()} of a user's own key. */
  public static final String SOURCE = "user_key";

  /** How long a row read from the store is reused: the lag of another instance's change. */
  public static final Duration CACHE_TTL = Duration.ofSeconds(10);

  private final EncryptedKeyStore rows;
  private final Aead aead;
  private final Clock clock;
  private final Cache<RowKey, Optional<EncryptedKey>> cache;

  private record RowKey(String userId, ProviderId provider) {}

  public EncryptedCredentialStore(EncryptedKeyStore rows, MasterKeyset keyset, Clock clock) {
    this.rows = Objects.requireNonNull(rows, "rows");
    this.aead = keyset.aead();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfterWrite(CACHE_TTL)
            .build();
  }

  /** Only user principals have personal keys: a service token never draws one. */
  @Override
  public Optional<UpstreamCredential> find(Principal principal, ProviderId provider) {
    if (principal.kind() != Principal.Kind.USER) {
      return Optional.empty();
    }
    return cache
        .get(new RowKey(principal.id(), provider), key -> rows.find(key.userId(), key.provider()))
        .map(row -> new UpstreamCredential.ApiKey(decrypt(row), SOURCE));
  }

  @Override
  public KeyStatus status(String userId, ProviderId provider) {
    return new KeyStatus(provider, rows.find(userId, provider).map(EncryptedKey::configuredAt));
  }

  @Override
  public KeyStatus put(String userId, ProviderId provider, Secret key) {
    byte[] ciphertext;
    try {
      ciphertext =
          aead.encrypt(
              key.reveal().getBytes(StandardCharsets.UTF_8), associatedData(userId, provider));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
    EncryptedKey row = new EncryptedKey(userId, provider, ciphertext, clock.instant());
    rows.upsert(row);
    cache.invalidate(new RowKey(userId, provider));
    return new KeyStatus(provider, Optional.of(row.configuredAt()));
  }

  @Override
  public void delete(String userId, ProviderId provider) {
    rows.delete(userId, provider);
    cache.invalidate(new RowKey(userId, provider));
  }

  private Secret decrypt(EncryptedKey row) {
    try {
      byte[] plaintext =
          aead.decrypt(row.ciphertext(), associatedData(row.userId(), row.provider()));
      return Secret.of(new String(plaintext, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new CredentialUnreadableException(
          "stored " + row.provider() + " key of user " + row.userId() + " does not decrypt", e);
    }
  }

  /** {@code llmproxy-key-v1 \0 user \0 provider}: a ciphertext belongs to exactly one row. */
  static byte[] associatedData(String userId, ProviderId provider) {
    return ("llmproxy-key-v1\0" + userId + "\0" + provider.value())
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "EncryptedCredentialStore[" + rows.getClass().getSimpleName() + "]";
  }
}
