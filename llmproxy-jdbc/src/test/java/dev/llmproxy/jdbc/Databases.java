package dev.llmproxy.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/** Test databases: a fresh in-memory H2, or the PostgreSQL that CI starts. */
final class Databases {
  static final String POSTGRES_URL = "LLMPROXY_TEST_POSTGRES_URL";

  private Databases() {}

  /** A new, migrated H2 database in PostgreSQL mode, as the example uses. */
  static HikariDataSource h2() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(
        "jdbc:h2:mem:llmproxy-" + UUID.randomUUID() + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1");
    config.setMaximumPoolSize(8);
    HikariDataSource dataSource = new HikariDataSource(config);
    JdbcSchema.migrate(dataSource);
    return dataSource;
  }

  /** The CI PostgreSQL with emptied llmproxy tables; skips the test when it is not configured. */
  static HikariDataSource postgres() throws Exception {
    String url = System.getenv(POSTGRES_URL);
    Assumptions.assumeTrue(
        url != null && !url.isBlank(),
        POSTGRES_URL + " is not set: PostgreSQL tests skipped (.ci/run sets it)");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(8);
    HikariDataSource dataSource = new HikariDataSource(config);
    JdbcSchema.migrate(dataSource);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String table :
          new String[] {
            "llmproxy_tokens",
            "llmproxy_user_keys",
            "llmproxy_accounts",
            "llmproxy_holds",
            "llmproxy_rate_windows",
            "llmproxy_instances",
            "llmproxy_audit"
          }) {
        s.execute("DELETE FROM " + table);
      }
    }
    return dataSource;
  }
}
