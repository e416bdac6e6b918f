package dev.llmproxy.jdbc;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The {@link JdbcBudgetLedger}'s statements, each run inside the caller's transaction: the rate
 * window's slot, the account's conditional hold, and the reads that explain a denial. Rows are
 * created on first use; a lost race to create one throws {@link RowCreated} and the whole
 * reservation is tried again.
 */
final class LedgerRows {
  private LedgerRows() {}

  /** A lost race to create a row: the whole reservation is tried again. */
  static final class RowCreated extends RuntimeException {
    static final long serialVersionUID = 1L;

    RowCreated() {
      super(null, null, false, false);
    }
  }

  /**
   * Takes a slot in the principal's window; returns the count after, or -1 if full. A window never
   * moves backwards ({@code GREATEST}), so a process whose clock lags cannot reset it.
   */
  static long takeRateSlot(Connection c, String principal, long windowStart, int limit)
      throws SQLException {
    if (!tryRateSlot(c, principal, windowStart, limit)) {
      if (!exists(c, "llmproxy_rate_windows", "principal_id", principal)) {
        insertRow(
            c,
            "INSERT INTO llmproxy_rate_windows (principal_id, window_start, request_count)"
                + " VALUES (?, "
                + windowStart
                + ", 1)",
            principal);
        return 1;
      }
      // The row may have been created by another transaction after our UPDATE's snapshot:
      // ask once more before denying.
      if (!tryRateSlot(c, principal, windowStart, limit)) {
        return -1;
      }
    }
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT request_count FROM llmproxy_rate_windows WHERE principal_id = ?")) {
      select.setString(1, principal);
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  static boolean tryRateSlot(Connection c, String principal, long windowStart, int limit)
      throws SQLException {
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE llmproxy_rate_windows SET"
                + " request_count = CASE WHEN window_start < ? THEN 1 ELSE request_count + 1 END,"
                + " window_start = GREATEST(window_start, ?)"
                + " WHERE principal_id = ? AND (window_start < ? OR request_count < ?)")) {
      update.setLong(1, windowStart);
      update.setLong(2, windowStart);
      update.setString(3, principal);
      update.setLong(4, windowStart);
      update.setLong(5, limit);
      return update.executeUpdate() == 1;
    }
  }

  /** Places the hold if every budget allows it, creating the account on first use. */
  static boolean hold(Connection c, String account, Limits limits, Charge estimate)
      throws SQLException {
    if (holdIfAllowed(c, account, limits, estimate)) {
      return true;
    }
    if (!exists(c, "llmproxy_accounts", "account_id", account)) {
      insertRow(
          c,
          "INSERT INTO llmproxy_accounts"
              + " (account_id, used_requests, held_requests, spent_nano, held_nano)"
              + " VALUES (?, 0, 0, 0, 0)",
          account);
    }
    // Created just now, or by another transaction after our UPDATE's snapshot: once more.
    return holdIfAllowed(c, account, limits, estimate);
  }

  /** The conditional hold itself, in subtraction form so nothing overflows. */
  static boolean holdIfAllowed(Connection c, String account, Limits limits, Charge estimate)
      throws SQLException {
    String sql =
        "UPDATE llmproxy_accounts SET held_requests = held_requests + ?, held_nano = held_nano + ?"
            + " WHERE account_id = ?"
            + (limits.maxRequests().isPresent()
                ? " AND ? <= ? - used_requests - held_requests"
                : "")
            + (limits.maxSpendNanoUsd().isPresent() ? " AND ? <= ? - spent_nano - held_nano" : "");
    try (PreparedStatement update = c.prepareStatement(sql)) {
      int i = 1;
      update.setLong(i++, estimate.requests());
      update.setLong(i++, estimate.nanoUsd());
      update.setString(i++, account);
      if (limits.maxRequests().isPresent()) {
        update.setLong(i++, estimate.requests());
        update.setLong(i++, limits.maxRequests().getAsLong());
      }
      if (limits.maxSpendNanoUsd().isPresent()) {
        update.setLong(i++, estimate.nanoUsd());
        update.setLong(i++, limits.maxSpendNanoUsd().getAsLong());
      }
      return update.executeUpdate() == 1;
    }
  }

  /**
   * Deletes hold {@code id} and books {@code actual} (a refund if null) on its account; false if
   * the hold was settled or reclaimed already.
   */
  static boolean settleHold(Connection c, String id, Charge actual) throws SQLException {
    String account;
    long requests;
    long nano;
    try (PreparedStatement select =
        c.prepareStatement("SELECT account_id, requests, nano FROM llmproxy_holds WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return false;
        }
        account = rows.getString(1);
        requests = rows.getLong(2);
        nano = rows.getLong(3);
      }
    }
    try (PreparedStatement delete = c.prepareStatement("DELETE FROM llmproxy_holds WHERE id = ?")) {
      delete.setString(1, id);
      if (delete.executeUpdate() == 0) {
        return false; // another instance settled it first
      }
    }
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE llmproxy_accounts SET held_requests = held_requests - ?,"
                + " held_nano = held_nano - ?, used_requests = used_requests + ?,"
                + " spent_nano = spent_nano + ? WHERE account_id = ?")) {
      update.setLong(1, requests);
      update.setLong(2, nano);
      update.setLong(3, actual == null ? 0 : actual.requests());
      update.setLong(4, actual == null ? 0 : actual.nanoUsd()); // above the hold too
      update.setString(5, account);
      update.executeUpdate();
    }
    return true;
  }

  static Decision.Reason denialReason(Connection c, String account, Limits limits, Charge estimate)
      throws SQLException {
    Balance used = balance(c, account, true);
    if (limits.maxRequests().isPresent()
        && estimate.requests() > limits.maxRequests().getAsLong() - used.usedRequests()) {
      return Decision.Reason.REQUEST_BUDGET_EXHAUSTED;
    }
    return Decision.Reason.SPEND_BUDGET_EXHAUSTED;
  }

  /** Used and spent; with {@code includeHolds}, held amounts count as used. */
  static Balance balance(Connection c, String account, boolean includeHolds) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT used_requests, held_requests, spent_nano, held_nano FROM llmproxy_accounts"
                + " WHERE account_id = ?")) {
      select.setString(1, account);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Balance.ZERO;
        }
        long requests = rows.getLong(1) + rows.getLong(2); // held ones may be on the wire
        return includeHolds
            ? new Balance(requests, rows.getLong(3) + rows.getLong(4))
            : new Balance(requests, rows.getLong(3));
      }
    }
  }

  static boolean exists(Connection c, String table, String column, String key) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT 1 FROM " + table + " WHERE " + column + " = ?")) {
      select.setString(1, key);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next();
      }
    }
  }

  /** Inserts a new row; a concurrent creator wins and the reservation is retried. */
  static void insertRow(Connection c, String sql, String key) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(sql)) {
      insert.setString(1, key);
      insert.executeUpdate();
    } catch (SQLException e) {
      if (Sql.isConcurrentInsert(e)) {
        throw new RowCreated();
      }
      throw e;
    }
  }
}
