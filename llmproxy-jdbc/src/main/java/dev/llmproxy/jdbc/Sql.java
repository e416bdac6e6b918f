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

  /** Runs {@code work} in one transaction, committed on return and rolled back on failure. */
  static <T> T transaction(DataSource dataSource, String operation, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new StoreUnavailableException(operation + " failed: " + e.getSQLState(), e);
    }
  }

  /** Whether {@code e} is a unique-key violation (SQLState class 23505 / 23xxx). */
  static boolean isDuplicate(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("23");
  }
}
