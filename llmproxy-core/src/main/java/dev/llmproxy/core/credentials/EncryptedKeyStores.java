package dev.llmproxy.core.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmproxy.api.EncryptedKey;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.core.internal.json.JsonRowsFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The built-in {@link EncryptedKeyStore}s: in memory, and one JSON file of ciphertexts. */
public final class EncryptedKeyStores {
  private EncryptedKeyStores() {}

  /** A store that lives as long as the JVM. */
  public static EncryptedKeyStore inMemory() {
    return new InMemory();
  }

  /** A store in {@code file} (owner-only, base64 ciphertexts), shared safely between processes. */
  public static EncryptedKeyStore file(Path file) {
    return new FileBacked(file);
  }

  /** Row key: user and provider. */
  private record RowKey(String userId, ProviderId provider) {
    static RowKey of(EncryptedKey key) {
      return new RowKey(key.userId(), key.provider());
    }
  }

  private static final class InMemory implements EncryptedKeyStore {
    private final Map<RowKey, EncryptedKey> rows = new ConcurrentHashMap<>();

    @Override
    public void upsert(EncryptedKey key) {
      rows.put(RowKey.of(key), key);
    }

    @Override
    public Optional<EncryptedKey> find(String userId, ProviderId provider) {
      return Optional.ofNullable(rows.get(new RowKey(userId, provider)));
    }

    @Override
    public boolean delete(String userId, ProviderId provider) {
      return rows.remove(new RowKey(userId, provider)) != null;
    }
  }

  private static final class FileBacked implements EncryptedKeyStore {
    private final JsonRowsFile<RowKey, EncryptedKey> rows;

    FileBacked(Path file) {
      this.rows = new JsonRowsFile<>(file, FileBacked::decode, FileBacked::encode, RowKey::of);
    }

    @Override
    public void upsert(EncryptedKey key) {
      rows.update(all -> all.put(RowKey.of(key), key));
    }

    @Override
    public Optional<EncryptedKey> find(String userId, ProviderId provider) {
      return rows.read(all -> Optional.ofNullable(all.get(new RowKey(userId, provider))));
    }

    @Override
    public boolean delete(String userId, ProviderId provider) {
      return rows.update(all -> all.remove(new RowKey(userId, provider)) != null);
    }

    private static ObjectNode encode(EncryptedKey key) {
      ObjectNode node = JsonRowsFile.object();
      node.put("user", key.userId());
      node.put("provider", key.provider().value());
      node.put("ciphertext", Base64.getEncoder().encodeToString(key.ciphertext()));
      node.put("configured_at", key.configuredAt().toString());
      return node;
    }

    private static EncryptedKey decode(JsonNode node) {
      return new EncryptedKey(
          node.get("user").asText(),
          ProviderId.of(node.get("provider").asText()),
          Base64.getDecoder().decode(node.get("ciphertext").asText()),
          Instant.parse(node.get("configured_at").asText()));
    }
  }
}
