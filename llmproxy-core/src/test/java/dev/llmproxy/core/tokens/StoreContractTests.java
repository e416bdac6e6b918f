package dev.llmproxy.core.tokens;

import dev.llmproxy.api.TokenStore;
import dev.llmproxy.testing.TokenStoreContract;
import java.nio.file.Files;
import org.junit.jupiter.api.Nested;

/** The token-store contract, bound to the in-memory and file stores. */
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
}
