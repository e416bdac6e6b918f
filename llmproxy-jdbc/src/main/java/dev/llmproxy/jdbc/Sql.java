package dev.llmproxy.jdbc;

import dev.llmproxy.api.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs JDBC work and turns every {@link SQLException} into a {@link StoreUnavailableException}, so
 * the engine fails closed (503) while the database is away and recovers by itself when the pool
 * reconnects. Messages name the operation, never a value.
 */
final class Sql {
  private Sql() {}

  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work} on a pooled connection in auto-commit mode. */
  static <T> T run(DataSource dataSource, String operation, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw new StoreUnavailableException(operation + " failed: " + e.getSQLState(), e);
    }
  }

  /**
   * Runs {@code work} in one transaction, committed on return and rolled back on any failure (an
   * {@link Error} too): never half of it.
   */
  static <T> T transaction(DataSource dataSource, String operation, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      T result;
      try {
        result = work.run(connection);
        connection.commit();
      } catch (Throwable e) {
        try {
          connection.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
      connection.setAutoCommit(autoCommit);
      return result;
    } catch (SQLException e) {
      throw new StoreUnavailableException(operation + " failed: " + e.getSQLState(), e);
    }
  }

  /** Whether {@code e} is a unique-key violation (SQLState 23505). */
  static boolean isDuplicate(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  /**
   * Whether {@code e} says another transaction created the same row at the same time: a duplicate
   * key, or H2's concurrent-update error (90131), which H2 raises instead of waiting.
   */
  static boolean isConcurrentInsert(SQLException e) {
    return isDuplicate(e) || "90131".equals(e.getSQLState());
  }
}
