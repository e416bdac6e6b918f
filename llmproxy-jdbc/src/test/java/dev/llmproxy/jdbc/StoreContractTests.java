package dev.llmproxy.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.EncryptedKeyStore;
import dev.llmproxy.api.TokenStore;
import dev.llmproxy.testing.EncryptedKeyStoreContract;
import dev.llmproxy.testing.TokenStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The token-store and key-store contracts, bound to H2 and PostgreSQL. */
class StoreContractTests {

  @Nested
  class H2Tokens extends TokenStoreContract {
    HikariDataSource dataSource;

    @Override
    protected TokenStore store() {
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
    protected TokenStore store() throws Exception {
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
  class H2Keys extends EncryptedKeyStoreContract {
    HikariDataSource dataSource;

    @Override
    protected EncryptedKeyStore store() {
      dataSource = Databases.h2();
      return new JdbcEncryptedKeyStore(dataSource);
    }

    @AfterEach
    void close() {
      dataSource.close();
    }
  }

  @Nested
  class PostgresKeys extends EncryptedKeyStoreContract {
    HikariDataSource dataSource;

    @Override
    protected EncryptedKeyStore store() throws Exception {
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
