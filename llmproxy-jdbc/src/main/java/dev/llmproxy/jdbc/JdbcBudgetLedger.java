package dev.llmproxy.jdbc;

import dev.llmproxy.api.AccountCap;
import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Purpose;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.ReclaimedHold;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p><b>Leases.</b> Every hold names the instance that placed it, and the {@link #heartbeat} of
 * each instance renews its lease; the holds of an instance that stopped renewing (killed, crashed,
 * cut off) are reclaimed by any other after {@link Builder#lease}, and by the same instance at once
 * when it restarts under the same {@link Builder#instanceName}. See {@link
 * dev.llmproxy.api.ReclaimedHold} for why a reclaimed hold is booked at its estimate.
 */
public final class JdbcBudgetLedger implements BudgetLedger, AutoCloseable {
  private static final long WINDOW_MILLIS = Duration.ofMinutes(1).toMillis();

  /** How long a hold outlives its instance's last heartbeat by default: one minute. */
  public static final Duration DEFAULT_LEASE = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(JdbcBudgetLedger.class);

  private final DataSource dataSource;
  private final GroupCommit group; // null: one transaction per call
  private final HoldLeases leases;

  /**
   * A ledger exact across any number of processes sharing {@code dataSource}, as an instance with a
   * random name and the default lease.
   */
  public JdbcBudgetLedger(DataSource dataSource) {
    this(builder(dataSource));
  }

  private JdbcBudgetLedger(Builder builder) {
    this.dataSource = builder.dataSource;
    this.group = builder.groupCommit ? new GroupCommit(dataSource) : null;
    this.leases = new HoldLeases(builder.instanceName, UUID.randomUUID().toString(), builder.lease);
  }

  /**
   * A ledger that commits in batches from one writer thread, for a database no other process writes
   * the ledger tables of. {@link #close} commits what is queued.
   */
  public static JdbcBudgetLedger groupCommit(DataSource dataSource) {
    return builder(dataSource).groupCommit(true).build();
  }

  /** A builder of a ledger on {@code dataSource}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * Commits queued settlements, stops the writer of a {@link #groupCommit} ledger, and gives up
   * this instance's lease (holds still open are reclaimable once their lease ends).
   */
  @Override
  public void close() {
    try {
      write(
          "release lease",
          c -> {
            leases.release(c);
            return null;
          });
    } catch (RuntimeException e) {
      log.warn("Could not release the ledger's lease: {}", e.toString());
    } finally {
      if (group != null) {
        group.close();
      }
    }
  }

  /** Configures a {@link JdbcBudgetLedger}. */
  public static final class Builder {
    private final DataSource dataSource;
    private String instanceName = UUID.randomUUID().toString();
    private Duration lease = DEFAULT_LEASE;
    private boolean groupCommit;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * This instance's name, stable across its restarts and unique among the live instances on the
     * database (a host name with a port, or an id kept in the instance's data directory): a
     * restarted instance reclaims the holds its earlier run left at once, instead of after their
     * lease. Default: a random name, new with every start.
     */
    public Builder instanceName(String name) {
      if (name == null || name.isBlank() || name.length() > 200) {
        throw new IllegalArgumentException("instance name must be 1 to 200 characters");
      }
      this.instanceName = name;
      return this;
    }

    /**
     * How long the holds of an instance that stopped heartbeating stay before any instance reclaims
     * them; at least a few heartbeats long (the engine beats every 10 seconds).
     */
    public Builder lease(Duration lease) {
      if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("lease under a second: " + lease);
      }
      this.lease = lease;
      return this;
    }

    /** Whether to commit in batches from one writer, as {@link #groupCommit(DataSource)}. */
    public Builder groupCommit(boolean groupCommit) {
      this.groupCommit = groupCommit;
      return this;
    }

    public JdbcBudgetLedger build() {
      return new JdbcBudgetLedger(this);
    }
  }

  /** What a hold records of its purpose is for people: it is cut to fit its column. */
  private static String clip(String value, int max) {
    return value == null || value.length() <= max ? value : value.substring(0, max);
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
    // Each account in its id order, the one order every instance locks rows in.
    List<AccountCap> caps = new ArrayList<>(request.caps());
    caps.sort(java.util.Comparator.comparing(AccountCap::accountId));
    java.util.Map<String, Long> periods = new java.util.HashMap<>();
    for (AccountCap cap : caps) {
      long period = LedgerRows.hold(c, cap, estimate);
      if (period == LedgerRows.REFUSED) {
        Decision.Reason reason = LedgerRows.denialReason(c, cap, estimate);
        // the rate slot and the other holds go back with the transaction
        return new Decision.Denied(reason, Duration.ZERO, before, cap.accountId());
      }
      periods.put(cap.accountId(), period);
    }
    List<String> accountIds = request.caps().stream().map(AccountCap::accountId).toList();
    String account = accountIds.get(0);
    long tokenLimit = request.rateLimit().tokensPerMinute();
    long heldTokens = 0;
    long tokenWindow = 0;
    if (tokenLimit > 0) {
      // A request asking more than a whole window's tokens holds the window: it needs it empty.
      heldTokens = Math.min(estimate.tokens(), tokenLimit);
      long[] window = LedgerRows.holdTokens(c, account, windowStart, heldTokens, tokenLimit);
      if (window == null) {
        long used = LedgerRows.tokensUsed(c, account, windowStart);
        return new Decision.Denied(
            Decision.Reason.TOKEN_RATE_LIMITED,
            Duration.ofMillis(reset.toEpochMilli() - now),
            withTokens(before, reset, tokenLimit, tokenLimit - used),
            account);
      }
      tokenWindow = window[0];
      before = withTokens(before, reset, tokenLimit, tokenLimit - window[1] + heldTokens);
      after = withTokens(after, reset, tokenLimit, tokenLimit - window[1]);
    }
    String id = UUID.randomUUID().toString();
    Purpose purpose = request.purpose();
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO llmproxy_holds (id, account_id, requests, nano, created_at,"
                + " instance_name, instance_id, principal_id, provider, method, path, model,"
                + " accounts, token_window, held_tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      insert.setString(1, id);
      insert.setString(2, account);
      insert.setLong(3, estimate.requests());
      insert.setLong(4, estimate.nanoUsd());
      insert.setLong(5, now);
      insert.setString(6, leases.name());
      insert.setString(7, leases.id());
      insert.setString(8, clip(principal.id(), 256));
      insert.setString(9, clip(purpose.provider(), 64));
      insert.setString(10, clip(purpose.method(), 16));
      insert.setString(11, clip(purpose.path(), 512));
      insert.setString(12, clip(purpose.model(), 256));
      insert.setString(
          13,
          LedgerRows.encodeAccounts(accountIds, accountIds.stream().map(periods::get).toList()));
      insert.setLong(14, tokenWindow);
      insert.setLong(15, heldTokens);
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
    LedgerRows.settleHold(c, reservation.id(), actual);
    return null;
  }

  /**
   * Renews this instance's lease and reclaims the holds of instances that died (see {@link
   * HoldLeases}): each booked at its estimate, in its own transaction, once.
   */
  @Override
  public synchronized List<ReclaimedHold> heartbeat(Instant now) {
    List<HoldLeases.HoldRow> found = write("heartbeat", c -> leases.renewAndFind(c, now));
    leases.started();
    List<ReclaimedHold> reclaimed = new ArrayList<>();
    for (HoldLeases.HoldRow hold : found) {
      try {
        ReclaimedHold booked = write("reclaim hold", c -> HoldLeases.reclaim(c, hold));
        if (booked != null) {
          reclaimed.add(booked);
        }
      } catch (RuntimeException e) { // what was booked is returned; the rest waits for next time
        log.warn("Could not reclaim hold {}: {}", hold.id(), e.toString());
        break;
      }
    }
    if (!reclaimed.isEmpty()) {
      log.warn(
          "Reclaimed {} hold(s) of stopped instances, booked at their estimates", reclaimed.size());
    }
    return reclaimed;
  }

  /** One transaction, queued behind the writer's batch on a group-commit ledger. */
  private <T> T write(String operation, Sql.Work<T> work) {
    return group != null
        ? group.await(operation, work, r -> true)
        : Sql.transaction(dataSource, operation, work);
  }

  /** {@code state} with a token window ending at {@code reset}. */
  private static RateLimitState withTokens(
      RateLimitState state, Instant reset, long tokenLimit, long tokensRemaining) {
    return new RateLimitState(
        state.limit(), state.remaining(), reset, tokenLimit, Math.max(0, tokensRemaining));
  }

  @Override
  public RateLimitState rateLimit(Principal principal, RateLimit rateLimit, Instant at) {
    int limit = rateLimit.requestsPerMinute();
    long tokenLimit = rateLimit.tokensPerMinute();
    if (limit <= 0 && tokenLimit <= 0) {
      return RateLimitState.unlimited();
    }
    long now = at.toEpochMilli();
    long windowStart = now - Math.floorMod(now, WINDOW_MILLIS);
    Instant reset = Instant.ofEpochMilli(windowStart + WINDOW_MILLIS);
    return read(
        "read rate window",
        c -> {
          RateLimitState state = RateLimitState.unlimited();
          if (limit > 0) {
            try (PreparedStatement select =
                c.prepareStatement(
                    "SELECT window_start, request_count FROM llmproxy_rate_windows"
                        + " WHERE principal_id = ?")) {
              select.setString(1, principal.id());
              try (ResultSet rows = select.executeQuery()) {
                long used = rows.next() && rows.getLong(1) == windowStart ? rows.getLong(2) : 0;
                state = new RateLimitState(limit, Math.max(0, limit - used), reset);
              }
            }
          }
          if (tokenLimit > 0) {
            long used = LedgerRows.tokensUsed(c, principal.accountId(), windowStart);
            state = withTokens(state, reset, tokenLimit, tokenLimit - used);
          }
          return state;
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
