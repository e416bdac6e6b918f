package dev.llmproxy.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * Creates and migrates llmproxy's tables with the versioned scripts in this module ({@code
 * V1__schema.sql}, …). Idempotent and safe when several instances start at once: each version is
 * applied in one transaction that also records it, and on PostgreSQL under an advisory lock; an
 * instance that loses the race finds the version recorded and moves on.
 */
public final class JdbcSchema {
  private static final List<String> VERSIONS =
      List.of(
          "V1__schema.sql",
          "V2__audit.sql",
          "V3__audit_flags.sql",
          "V4__hold_leases.sql",
          "V5__token_scopes.sql",
          "V6__budget_periods.sql",
          "V7__audit_team.sql",
          "V8__token_rates.sql",
          "V9__audit_pool_member.sql",
          "V10__audit_overhead.sql");
  private static final long ADVISORY_LOCK = 0x6c6c6d70726f7879L; // "llmproxy"

  private JdbcSchema() {}

  /** Brings the schema in {@code dataSource} up to date. */
  public static void migrate(DataSource dataSource) {
    Sql.run(
        dataSource,
        "create schema-version table",
        connection -> {
          try (Statement statement = connection.createStatement()) {
            statement.execute(
                "CREATE TABLE IF NOT EXISTS llmproxy_schema_version ("
                    + "version INT PRIMARY KEY, applied_at BIGINT NOT NULL)");
          } catch (SQLException e) {
            if (!Sql.isDuplicate(e)) { // two instances creating it at once
              throw e;
            }
          }
          return null;
        });
    for (int i = 0; i < VERSIONS.size(); i++) {
      int version = i + 1;
      String script = read(VERSIONS.get(i));
      Sql.transaction(
          dataSource,
          "migrate to version " + version,
          connection -> {
            lock(connection);
            if (applied(connection, version)) {
              return null;
            }
            try (Statement statement = connection.createStatement()) {
              for (String sql : statements(script)) {
                statement.execute(sql);
              }
              statement.executeUpdate(
                  "INSERT INTO llmproxy_schema_version (version, applied_at) VALUES ("
                      + version
                      + ", "
                      + System.currentTimeMillis()
                      + ")");
            } catch (SQLException e) {
              if (!Sql.isConcurrentInsert(e)) {
                throw e;
              }
              // another instance applied it at the same time: the scripts are idempotent
            }
            return null;
          });
    }
  }

  private static void lock(Connection connection) throws SQLException {
    if (connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK + ")");
      }
    }
  }

  private static boolean applied(Connection connection, int version) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT version FROM llmproxy_schema_version WHERE version = " + version)) {
      return rows.next();
    }
  }

  private static List<String> statements(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n")) {
      int comment = line.indexOf("--");
      withoutComments.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
    }
    return java.util.Arrays.stream(withoutComments.toString().split(";"))
        .map(String::trim)
        .filter(sql -> !sql.isEmpty())
        .toList();
  }

  private static String read(String name) {
    try (InputStream in = JdbcSchema.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing migration " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
