package dev.llmproxy.jdbc;

import dev.llmproxy.api.AccountCap;
import dev.llmproxy.api.Balance;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

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

  /**
   * Places the hold on {@code cap}'s account if its caps allow it, creating the account on first
   * use and starting its counts from zero when {@code cap} is of a later period. Returns the start
   * of the period the hold is in ({@link #ANY_PERIOD} for lifetime caps), or {@link #REFUSED}.
   */
  static long hold(Connection c, AccountCap cap, Charge estimate) throws SQLException {
    String account = cap.accountId();
    long period = cap.periodStart().toEpochMilli();
    roll(c, account, period);
    if (!holdIfAllowed(c, cap, estimate)) {
      if (!exists(c, "llmproxy_accounts", "account_id", account)) {
        insertRow(
            c,
            "INSERT INTO llmproxy_accounts (account_id, used_requests, held_requests, spent_nano,"
                + " held_nano, period_start) VALUES (?, 0, 0, 0, 0, "
                + period
                + ")",
            account);
      } else {
        roll(c, account, period); // created by another transaction after our first roll
      }
      // Created just now, or by another transaction after our UPDATE's snapshot: once more.
      if (!holdIfAllowed(c, cap, estimate)) {
        return REFUSED;
      }
    }
    if (period == 0) {
      // Lifetime caps never reset, so their commit books into whatever the row counts now, even
      // a row of a period (its caps had one before): no read on the reservation's path.
      return ANY_PERIOD;
    }
    try (PreparedStatement select =
        c.prepareStatement("SELECT period_start FROM llmproxy_accounts WHERE account_id = ?")) {
      select.setString(1, account);
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        return rows.getLong(1); // later than ours if another instance's clock is ahead
      }
    }
  }

  /** A hold's period for lifetime caps: its commit books whatever period the account is in. */
  static final long ANY_PERIOD = -1;

  /** What {@link #hold} returns when the caps refuse the hold. */
  static final long REFUSED = Long.MIN_VALUE;

  /** Starts the account's counts from zero if {@code period} is later; never moves back. */
  private static void roll(Connection c, String account, long period) throws SQLException {
    if (period == 0) {
      return;
    }
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE llmproxy_accounts SET period_start = ?, used_requests = 0, spent_nano = 0"
                + " WHERE account_id = ? AND period_start < ?")) {
      update.setLong(1, period);
      update.setString(2, account);
      update.setLong(3, period);
      update.executeUpdate();
    }
  }

  /** The conditional hold itself, in subtraction form so nothing overflows. */
  static boolean holdIfAllowed(Connection c, AccountCap cap, Charge estimate) throws SQLException {
    String sql =
        "UPDATE llmproxy_accounts SET held_requests = held_requests + ?, held_nano = held_nano + ?"
            + " WHERE account_id = ?"
            + (cap.maxRequests().isPresent() ? " AND ? <= ? - used_requests - held_requests" : "")
            + (cap.maxSpendNanoUsd().isPresent() ? " AND ? <= ? - spent_nano - held_nano" : "");
    try (PreparedStatement update = c.prepareStatement(sql)) {
      int i = 1;
      update.setLong(i++, estimate.requests());
      update.setLong(i++, estimate.nanoUsd());
      update.setString(i++, cap.accountId());
      if (cap.maxRequests().isPresent()) {
        update.setLong(i++, estimate.requests());
        update.setLong(i++, cap.maxRequests().getAsLong());
      }
      if (cap.maxSpendNanoUsd().isPresent()) {
        update.setLong(i++, estimate.nanoUsd());
        update.setLong(i++, cap.maxSpendNanoUsd().getAsLong());
      }
      return update.executeUpdate() == 1;
    }
  }

  /**
   * Holds {@code tokens} in {@code account}'s token window starting at {@code window} if they fit
   * under {@code limit}, starting a later window from zero. Returns the window the tokens are in
   * and its count after, or {@code null} if they do not fit. The account's row is locked already.
   */
  static long[] holdTokens(Connection c, String account, long window, long tokens, long limit)
      throws SQLException {
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE llmproxy_accounts SET"
                + " tpm_used = CASE WHEN tpm_window < ? THEN ? ELSE tpm_used + ? END,"
                + " tpm_window = GREATEST(tpm_window, ?)"
                + " WHERE account_id = ? AND (tpm_window < ? OR ? <= ? - tpm_used)")) {
      update.setLong(1, window);
      update.setLong(2, tokens);
      update.setLong(3, tokens);
      update.setLong(4, window);
      update.setString(5, account);
      update.setLong(6, window);
      update.setLong(7, tokens);
      update.setLong(8, limit);
      if (update.executeUpdate() == 0) {
        return null;
      }
    }
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT tpm_window, tpm_used FROM llmproxy_accounts WHERE account_id = ?")) {
      select.setString(1, account);
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        return new long[] {rows.getLong(1), rows.getLong(2)};
      }
    }
  }

  /** The tokens {@code account} has used in the window starting at {@code window}. */
  static long tokensUsed(Connection c, String account, long window) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT tpm_window, tpm_used FROM llmproxy_accounts WHERE account_id = ?")) {
      select.setString(1, account);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() && rows.getLong(1) == window ? rows.getLong(2) : 0;
      }
    }
  }

  /** A hold's accounts as its {@code accounts} column keeps them: "period account" lines. */
  static String encodeAccounts(List<String> accounts, List<Long> periods) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < accounts.size(); i++) {
      if (i > 0) {
        out.append('\n');
      }
      out.append(periods.get(i)).append(' ').append(accounts.get(i));
    }
    return out.toString();
  }

  /**
   * Deletes hold {@code id} and books {@code actual} (a refund if null) on its account; false if
   * the hold was settled or reclaimed already.
   */
  static boolean settleHold(Connection c, String id, Charge actual) throws SQLException {
    String account;
    String accounts;
    long requests;
    long nano;
    long tokenWindow;
    long heldTokens;
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT account_id, requests, nano, accounts, token_window, held_tokens"
                + " FROM llmproxy_holds WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return false;
        }
        account = rows.getString(1);
        requests = rows.getLong(2);
        nano = rows.getLong(3);
        accounts = rows.getString(4);
        tokenWindow = rows.getLong(5);
        heldTokens = rows.getLong(6);
      }
    }
    try (PreparedStatement delete = c.prepareStatement("DELETE FROM llmproxy_holds WHERE id = ?")) {
      delete.setString(1, id);
      if (delete.executeUpdate() == 0) {
        return false; // another instance settled it first
      }
    }
    // Each account in its id order, as reservations lock them; booked only in the period it was
    // held in (a period that has ended keeps no counts).
    java.util.TreeMap<String, Long> held = new java.util.TreeMap<>();
    if (accounts == null) {
      held.put(account, ANY_PERIOD); // a hold from before periods and teams
    } else {
      for (String line : accounts.split("\n")) {
        int space = line.indexOf(' ');
        held.put(line.substring(space + 1), Long.parseLong(line.substring(0, space)));
      }
    }
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE llmproxy_accounts SET held_requests = held_requests - ?,"
                + " held_nano = held_nano - ?,"
                + " used_requests = used_requests"
                + " + CASE WHEN ? < 0 OR period_start = ? THEN ? ELSE 0 END,"
                + " spent_nano = spent_nano + CASE WHEN ? < 0 OR period_start = ? THEN ? ELSE 0 END"
                + " WHERE account_id = ?")) {
      for (java.util.Map.Entry<String, Long> entry : held.entrySet()) {
        update.setLong(1, requests);
        update.setLong(2, nano);
        update.setLong(3, entry.getValue());
        update.setLong(4, entry.getValue());
        update.setLong(5, actual == null ? 0 : actual.requests());
        update.setLong(6, entry.getValue());
        update.setLong(7, entry.getValue());
        update.setLong(8, actual == null ? 0 : actual.nanoUsd()); // above the hold too
        update.setString(9, entry.getKey());
        update.executeUpdate();
      }
    }
    if (tokenWindow != 0) {
      // The hold's tokens, corrected to what the upstream reported, if its window is current.
      try (PreparedStatement update =
          c.prepareStatement(
              "UPDATE llmproxy_accounts SET tpm_used = GREATEST(0, tpm_used - ? + ?)"
                  + " WHERE account_id = ? AND tpm_window = ?")) {
        update.setLong(1, heldTokens);
        update.setLong(2, actual == null ? 0 : actual.tokens());
        update.setString(3, account);
        update.setLong(4, tokenWindow);
        update.executeUpdate();
      }
    }
    return true;
  }

  static Decision.Reason denialReason(Connection c, AccountCap cap, Charge estimate)
      throws SQLException {
    Balance used = balance(c, cap.accountId(), true);
    if (cap.maxRequests().isPresent()
        && estimate.requests() > cap.maxRequests().getAsLong() - used.usedRequests()) {
      return Decision.Reason.REQUEST_BUDGET_EXHAUSTED;
    }
    return Decision.Reason.SPEND_BUDGET_EXHAUSTED;
  }

  /** Used and spent; with {@code includeHolds}, held amounts count as used. */
  static Balance balance(Connection c, String account, boolean includeHolds) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT used_requests, held_requests, spent_nano, held_nano, period_start"
                + " FROM llmproxy_accounts WHERE account_id = ?")) {
      select.setString(1, account);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Balance.ZERO;
        }
        long requests = rows.getLong(1) + rows.getLong(2); // held ones may be on the wire
        Instant period = Instant.ofEpochMilli(rows.getLong(5));
        return includeHolds
            ? new Balance(requests, rows.getLong(3) + rows.getLong(4), period)
            : new Balance(requests, rows.getLong(3), period);
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
