package dev.llmproxy.core.tokens;

import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.TokenStore;
import dev.llmproxy.core.credentials.EncryptedKeyStores;
import dev.llmproxy.testing.EncryptedKeyStoreContract;
import dev.llmproxy.testing.TokenStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;

/** The token-store and key-store contracts, bound to the in-memory and file stores. */
class StoreContractTests {

  @Nested
  class InMemoryTokens extends TokenStoreContract {
    @Override
    protected TokenStore store() {
      return TokenStores.inMemory();
    }
  }

  @Nested
  class FileTokens extends TokenStoreContract {
    @Override
    protected TokenStore store() throws Exception {
      return TokenStores.file(Files.createTempDirectory("llmproxy-tokens").resolve("t.json"));
    }
  }

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
