package dev.llmproxy.jdbc;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A {@link BudgetLedger} in SQL with the same semantics as the in-memory one, exact across any
 * number of proxy processes sharing the database: a reservation is one short transaction of
 * conditional single-row {@code UPDATE}s (the rate window, then the account, in that order), so the
 * row locks serialise competing requests and a check and its hold commit together or not at all.
 * Holds are rows, so a commit or refund settles each exactly once, whichever instance does it.
 *
 * <p>{@link #groupCommit} makes a ledger for a database that only this process writes the ledger
 * of, typically an embedded H2 file: reservations and settlements queue for one writer that commits
 * them in batches, so the per-commit disk write is paid once per batch. A reservation still returns
 * only once its hold is committed, so every request sent upstream is on disk first; a settlement
 * returns at once and is committed with the next batch, ahead of any later reservation. A crash can
 * therefore leave a settled request's hold booked at its estimate: never less than what was spent.
 */
public final class JdbcBudgetLedger implements BudgetLedger, AutoCloseable {
  private static final long WINDOW_MILLIS = Duration.ofMinutes(1).toMillis();

  private final DataSource dataSource;
  private final GroupCommit group; // null: one transaction per call

  /** A ledger exact across any number of processes sharing {@code dataSource}. */
  public JdbcBudgetLedger(DataSource dataSource) {
    this(dataSource, null);
  }

  private JdbcBudgetLedger(DataSource dataSource, GroupCommit group) {
    this.dataSource = dataSource;
    this.group = group;
  }

  /**
   * A ledger that commits in batches from one writer thread, for a database no other process writes
   * the ledger tables of. {@link #close} commits what is queued.
   */
  public static JdbcBudgetLedger groupCommit(DataSource dataSource) {
    return new JdbcBudgetLedger(dataSource, new GroupCommit(dataSource));
  }

  /** Commits queued settlements and stops the writer of a {@link #groupCommit} ledger. */
  @Override
  public void close() {
    if (group != null) {
      group.close();
    }
  }

  @Override
  public Decision reserve(ReservationRequest request) {
    for (int attempt = 0; ; attempt++) {
      try {
        if (group != null) {
          return group.await(
              "reserve", c -> reserve(c, request), Decision.Granted.class::isInstance);
        }
        return Sql.transaction(
            dataSource,
            "reserve",
            c -> {
              Decision decision = reserve(c, request);
              if (decision instanceof Decision.Denied) {
                c.rollback(); // nothing of a denied reservation stays, its rate slot included
              }
              return decision;
            });
      } catch (LedgerRows.RowCreated e) {
        if (attempt == 3) {
          throw new dev.llmproxy.api.StoreUnavailableException("reserve failed: contention");
        }
      }
    }
  }

  /** Takes the rate slot and places the hold; a denial leaves undoing them to the caller. */
  private Decision reserve(Connection c, ReservationRequest request) throws SQLException {
    Principal principal = request.principal();
    Charge estimate = request.estimate();
    int limit = request.rateLimit().requestsPerMinute();
    long now = request.at().toEpochMilli();
    long windowStart = now - Math.floorMod(now, WINDOW_MILLIS);
    Instant reset = Instant.ofEpochMilli(windowStart + WINDOW_MILLIS);
    RateLimitState after = RateLimitState.unlimited();
    RateLimitState before = RateLimitState.unlimited();
    if (limit > 0) {
      long count = LedgerRows.takeRateSlot(c, principal.id(), windowStart, limit);
      if (count < 0) {
        return new Decision.Denied(
            Decision.Reason.RATE_LIMITED,
            Duration.ofMillis(reset.toEpochMilli() - now),
            new RateLimitState(limit, 0, reset));
      }
      after = new RateLimitState(limit, limit - count, reset);
      before = new RateLimitState(limit, limit - count + 1, reset);
    }
    Limits limits = principal.limits();
    String account = principal.accountId();
    if (!LedgerRows.hold(c, account, limits, estimate)) {
      Decision.Reason reason = LedgerRows.denialReason(c, account, limits, estimate);
      return new Decision.Denied(reason, Duration.ZERO, before); // the rate slot goes back too
    }
    String id = UUID.randomUUID().toString();
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO llmproxy_holds (id, account_id, requests, nano, created_at)"
                + " VALUES (?,?,?,?,?)")) {
      insert.setString(1, id);
      insert.setString(2, account);
      insert.setLong(3, estimate.requests());
      insert.setLong(4, estimate.nanoUsd());
      insert.setLong(5, now);
      insert.executeUpdate();
    }
    return new Decision.Granted(new Reservation(id, principal, estimate), after);
  }

  @Override
  public void commit(Reservation reservation, Charge actual) {
    settle(reservation, actual, "commit");
  }

  @Override
  public void refund(Reservation reservation) {
    settle(reservation, null, "refund");
  }

  private void settle(Reservation reservation, Charge actual, String operation) {
    Sql.Work<Void> work = c -> settle(c, reservation, actual);
    if (group != null) {
      group.submit(operation, work);
    } else {
      Sql.transaction(dataSource, operation, work);
    }
  }

  private static Void settle(Connection c, Reservation reservation, Charge actual)
      throws SQLException {
    String account;
    long requests;
    long nano;
    try (PreparedStatement select =
        c.prepareStatement("SELECT account_id, requests, nano FROM llmproxy_holds WHERE id = ?")) {
      select.setString(1, reservation.id());
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return null; // already settled
        }
        account = rows.getString(1);
        requests = rows.getLong(2);
        nano = rows.getLong(3);
      }
    }
    try (PreparedStatement delete = c.prepareStatement("DELETE FROM llmproxy_holds WHERE id = ?")) {
      delete.setString(1, reservation.id());
      if (delete.executeUpdate() == 0) {
        return null; // another instance settled it first
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
    return null;
  }

  @Override
  public RateLimitState rateLimit(Principal principal, RateLimit rateLimit, Instant at) {
    int limit = rateLimit.requestsPerMinute();
    if (limit <= 0) {
      return RateLimitState.unlimited();
    }
    long now = at.toEpochMilli();
    long windowStart = now - Math.floorMod(now, WINDOW_MILLIS);
    Instant reset = Instant.ofEpochMilli(windowStart + WINDOW_MILLIS);
    return read(
        "read rate window",
        c -> {
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT window_start, request_count FROM llmproxy_rate_windows"
                      + " WHERE principal_id = ?")) {
            select.setString(1, principal.id());
            try (ResultSet rows = select.executeQuery()) {
              long used = rows.next() && rows.getLong(1) == windowStart ? rows.getLong(2) : 0;
              return new RateLimitState(limit, Math.max(0, limit - used), reset);
            }
          }
        });
  }

  @Override
  public Balance balance(String accountId) {
    return read("read balance", c -> LedgerRows.balance(c, accountId, false));
  }

  /** A read; on a group-commit ledger it queues behind earlier settlements, so it sees them. */
  private <T> T read(String operation, Sql.Work<T> work) {
    return group != null
        ? group.await(operation, work, r -> true)
        : Sql.run(dataSource, operation, work);
  }
}
