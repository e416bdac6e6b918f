package dev.llmproxy.core.credentials;

import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.testing.EncryptedKeyStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;

/** The key-store contract, bound to the in-memory and file stores. */
class KeyStoreContractTests {
  @Nested
  class InMemoryKeys extends EncryptedKeyStoreContract {
    @Override
    protected EncryptedKeyStore store() {
      return EncryptedKeyStores.inMemory();
    }
  }

  @Nested
  class FileKeys extends EncryptedKeyStoreContract {
    @Override
    protected EncryptedKeyStore store() throws Exception {
      Path dir = Files.createTempDirectory("llmproxy-keys");
      return EncryptedKeyStores.file(dir.resolve("k.json"));
    }
  }
}
