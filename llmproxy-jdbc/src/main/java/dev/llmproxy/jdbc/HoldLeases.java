package dev.llmproxy.jdbc;

import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Purpose;
import dev.llmproxy.api.ReclaimedHold;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The leases of {@link JdbcBudgetLedger}'s holds. Each ledger is an instance (a name the host
 * chooses, stable across restarts, and an id new with every start); its heartbeat renews one row in
 * {@code llmproxy_instances}, and its holds name it. A hold is reclaimed, by whichever instance
 * gets to it first, when it is older than the lease and its instance has no live lease, or at once
 * when a restarted instance of the same name finds holds of its earlier run. Reclaiming deletes the
 * hold and books its estimate in one transaction, so each hold is booked once, whoever races.
 */
final class HoldLeases {
  /** How many holds one heartbeat reclaims at most; the next heartbeat takes the rest. */
  private static final int BATCH = 500;

  private final String name;
  private final String id;
  private final long leaseMillis;
  private boolean started;

  HoldLeases(String name, String id, Duration lease) {
    this.name = name;
    this.id = id;
    this.leaseMillis = lease.toMillis();
  }

  String name() {
    return name;
  }

  String id() {
    return id;
  }

  /** Renews this instance's lease and finds the holds to reclaim; one transaction. */
  List<HoldRow> renewAndFind(Connection c, Instant now) throws SQLException {
    long at = now.toEpochMilli();
    renew(c, at + leaseMillis);
    prune(c, at - 10 * leaseMillis);
    List<HoldRow> found = new ArrayList<>();
    if (!started) {
      find(
          c,
          "SELECT "
              + HoldRow.COLUMNS
              + " FROM llmproxy_holds"
              + " WHERE instance_name = ? AND (instance_id IS NULL OR instance_id <> ?)",
          found,
          name,
          id);
    }
    find(
        c,
        "SELECT "
            + HoldRow.COLUMNS
            + " FROM llmproxy_holds h WHERE h.created_at < ?"
            + " AND (h.instance_id IS NULL OR h.instance_id <> ?)"
            + " AND NOT EXISTS (SELECT 1 FROM llmproxy_instances i"
            + " WHERE i.instance_id = h.instance_id AND i.expires_at >= ?)",
        found,
        at - leaseMillis,
        id,
        at);
    return found;
  }

  /** After the first heartbeat's transaction committed: earlier runs' holds were found once. */
  void started() {
    started = true;
  }

  /**
   * Deletes {@code hold} and books its estimate, or returns {@code null} if another instance (or a
   * late settlement) got it first.
   */
  static ReclaimedHold reclaim(Connection c, HoldRow hold) throws SQLException {
    if (!LedgerRows.settleHold(c, hold.id(), hold.estimate())) {
      return null;
    }
    return new ReclaimedHold(
        hold.id(),
        hold.principalId(),
        hold.accountId(),
        hold.teamAccounts(),
        hold.purpose(),
        hold.estimate(),
        Instant.ofEpochMilli(hold.createdAt()));
  }

  /** Gives up the lease: a stopped instance's remaining holds are reclaimable after their lease. */
  void release(Connection c) throws SQLException {
    try (PreparedStatement delete =
        c.prepareStatement("DELETE FROM llmproxy_instances WHERE instance_id = ?")) {
      delete.setString(1, id);
      delete.executeUpdate();
    }
  }

  /** Forgets instances whose lease ended long ago: crashed runs leave their row behind. */
  private static void prune(Connection c, long before) throws SQLException {
    try (PreparedStatement delete =
        c.prepareStatement("DELETE FROM llmproxy_instances WHERE expires_at < ?")) {
      delete.setLong(1, before);
      delete.executeUpdate();
    }
  }

  private void renew(Connection c, long expiresAt) throws SQLException {
    try (PreparedStatement update =
        c.prepareStatement("UPDATE llmproxy_instances SET expires_at = ? WHERE instance_id = ?")) {
      update.setLong(1, expiresAt);
      update.setString(2, id);
      if (update.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO llmproxy_instances (instance_id, instance_name, expires_at)"
                + " VALUES (?,?,?)")) {
      insert.setString(1, id);
      insert.setString(2, name);
      insert.setLong(3, expiresAt);
      insert.executeUpdate();
    }
  }

  private static void find(Connection c, String sql, List<HoldRow> found, Object... parameters)
      throws SQLException {
    try (PreparedStatement select = c.prepareStatement(sql)) {
      select.setMaxRows(BATCH);
      for (int i = 0; i < parameters.length; i++) {
        select.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next() && found.size() < BATCH) {
          HoldRow row = HoldRow.read(rows);
          if (found.stream().noneMatch(f -> f.id().equals(row.id()))) {
            found.add(row);
          }
        }
      }
    }
  }

  /** A hold as its row keeps it. */
  record HoldRow(
      String id,
      String accountId,
      String principalId,
      Charge estimate,
      long createdAt,
      Purpose purpose,
      List<String> teamAccounts) {
    static final String COLUMNS =
        "id, account_id, principal_id, requests, nano, created_at, provider, method, path, model,"
            + " accounts";

    static HoldRow read(ResultSet rows) throws SQLException {
      return new HoldRow(
          rows.getString(1),
          rows.getString(2),
          rows.getString(3),
          new Charge(rows.getLong(4), rows.getLong(5)),
          rows.getLong(6),
          new Purpose(rows.getString(7), rows.getString(8), rows.getString(9), rows.getString(10)),
          teamAccounts(rows.getString(11)));
    }

    /** The accounts after the first of a hold's "period account" lines. */
    private static List<String> teamAccounts(String accounts) {
      if (accounts == null) {
        return List.of();
      }
      List<String> teams = new ArrayList<>();
      String[] lines = accounts.split("\n");
      for (int i = 1; i < lines.length; i++) {
        teams.add(lines[i].substring(lines[i].indexOf(' ') + 1));
      }
      return teams;
    }
  }
}
