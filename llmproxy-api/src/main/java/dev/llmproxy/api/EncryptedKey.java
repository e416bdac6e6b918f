package dev.llmproxy.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One user's upstream key for one provider, as stored: AEAD ciphertext bound to (user, provider),
 * never the plaintext.
 *
 * @param userId the key's owner
 * @param provider the provider the key is for
 * @param ciphertext the encrypted key; not copied, do not modify
 * @param configuredAt when the user saved it
 */
public record EncryptedKey(
    String userId, ProviderId provider, byte[] ciphertext, Instant configuredAt) {
  public EncryptedKey {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(configuredAt, "configuredAt");
  }

  @Override
  public String toString() {
    return "EncryptedKey[" + userId + ", " + provider + ", " + ciphertext.length + " bytes]";
  }
}
