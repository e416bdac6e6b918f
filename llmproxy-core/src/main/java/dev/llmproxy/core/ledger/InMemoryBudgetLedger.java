package dev.llmproxy.core.ledger;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BudgetLedger} in memory, exact under any concurrency: each decision runs under the
 * principal's rate-window lock and then the account's lock (always in that order), so a check and
 * its hold are one atomic step and no two requests can both take the last slot.
 *
 * <p><b>Rate limit:</b> a fixed one-minute window per principal, aligned to the clock's minute (the
 * reset is the end of the current minute). Counting is exact; the known edge is that a caller can
 * send a full window's worth at the end of one minute and again at the start of the next, up to
 * twice the rate over any 60 seconds. A granted request uses its slot even if it is refunded later
 * (the slot counts attempts; the budgets count what reached the upstream).
 *
 * <p><b>Budgets</b> per account (an issued token, see {@link Principal#accountId()}): {@code
 * maxRequests} counts requests held or sent; {@code maxSpendNanoUsd} counts the spend committed
 * plus every outstanding worst-case hold, so concurrent requests can never overspend. A commit
 * books the actual cost and releases the hold. An actual cost above the hold (the upstream reported
 * more than the estimate allowed for) is booked whole, so spend always equals what the exchanges
 * cost; the account may then stand above its cap, and every later reservation is refused.
 */
public final class InMemoryBudgetLedger implements BudgetLedger {
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(InMemoryBudgetLedger.class);

  private final Map<String, RateWindow> windows = new ConcurrentHashMap<>();
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final Map<String, HoldRecord> holds = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private Journal journal = Journal.NONE;

  /** An empty ledger. */
  public InMemoryBudgetLedger() {}

  /**
   * Told of every change while the locks that make it atomic are held, so a journal's order is the
   * ledger's order. {@link #reserved} may throw to refuse a reservation: nothing has changed yet.
   */
  interface Journal {
    Journal NONE =
        new Journal() {
          @Override
          public void reserved(HoldRecord hold) {}

          @Override
          public void settled(String id, Charge actual) {}
        };

    void reserved(HoldRecord hold);

    /** A commit at {@code actual}, or a refund when {@code actual} is {@code null}. */
    void settled(String id, Charge actual);
  }

  /** Starts journaling; called once, before the ledger is shared. */
  void attach(Journal journal) {
    this.journal = journal;
  }

  private static final class RateWindow {
    long windowStart = Long.MIN_VALUE;
    long count;
  }

  private static final class Account {
    long usedRequests;
    long heldRequests;
    long spentNanoUsd;
    long heldNanoUsd;
  }

  @Override
  public Decision reserve(ReservationRequest request) {
    Principal principal = request.principal();
    Charge estimate = request.estimate();
    int limit = request.rateLimit().requestsPerMinute();
    long now = request.at().toEpochMilli();
    long windowStart = now - Math.floorMod(now, WINDOW.toMillis());
    Instant reset = Instant.ofEpochMilli(windowStart + WINDOW.toMillis());
    RateWindow window = windows.computeIfAbsent(principal.id(), id -> new RateWindow());
    Account account = accounts.computeIfAbsent(principal.accountId(), id -> new Account());
    synchronized (window) {
      if (window.windowStart != windowStart) {
        window.windowStart = windowStart;
        window.count = 0;
      }
      if (limit > 0 && window.count >= limit) {
        return new Decision.Denied(
            Decision.Reason.RATE_LIMITED,
            Duration.ofMillis(reset.toEpochMilli() - now),
            new RateLimitState(limit, 0, reset));
      }
      RateLimitState after =
          limit > 0
              ? new RateLimitState(limit, limit - window.count - 1, reset)
              : RateLimitState.unlimited();
      RateLimitState before =
          limit > 0 ? new RateLimitState(limit, limit - window.count, reset) : after;
      Limits limits = principal.limits();
      String id;
      synchronized (account) {
        // Subtraction form: used + held never exceed the cap, so this cannot overflow.
        if (limits.maxRequests().isPresent()
            && estimate.requests()
                > limits.maxRequests().getAsLong() - account.usedRequests - account.heldRequests) {
          return new Decision.Denied(
              Decision.Reason.REQUEST_BUDGET_EXHAUSTED, Duration.ZERO, before);
        }
        if (limits.maxSpendNanoUsd().isPresent()
            && estimate.nanoUsd()
                > limits.maxSpendNanoUsd().getAsLong()
                    - account.spentNanoUsd
                    - account.heldNanoUsd) {
          return new Decision.Denied(Decision.Reason.SPEND_BUDGET_EXHAUSTED, Duration.ZERO, before);
        }
        id = Long.toString(ids.incrementAndGet());
        HoldRecord hold =
            new HoldRecord(
                id,
                principal.id(),
                principal.accountId(),
                windowStart,
                estimate,
                request.purpose(),
                now);
        journal.reserved(hold);
        account.heldRequests += estimate.requests();
        account.heldNanoUsd += estimate.nanoUsd();
        holds.put(id, hold);
      }
      window.count++;
      return new Decision.Granted(new Reservation(id, principal, estimate), after);
    }
  }

  @Override
  public void commit(Reservation reservation, Charge actual) {
    settle(reservation.id(), actual);
  }

  @Override
  public void refund(Reservation reservation) {
    settle(reservation.id(), null);
  }

  /**
   * Commits hold {@code id} at {@code actual}, or refunds it if {@code actual} is null; false if it
   * was settled already.
   */
  boolean settle(String id, Charge actual) {
    HoldRecord hold = holds.remove(id);
    if (hold == null) {
      return false;
    }
    Account account = accounts.get(hold.account());
    synchronized (account) {
      journal.settled(id, actual); // what is booked, so a replay books the same
      account.heldRequests -= hold.estimate().requests();
      account.heldNanoUsd -= hold.estimate().nanoUsd();
      if (actual != null) {
        account.usedRequests += actual.requests();
        account.spentNanoUsd += actual.nanoUsd();
      }
    }
    return true;
  }

  @Override
  public RateLimitState rateLimit(Principal principal, RateLimit rateLimit, Instant at) {
    int limit = rateLimit.requestsPerMinute();
    if (limit <= 0) {
      return RateLimitState.unlimited();
    }
    long now = at.toEpochMilli();
    long windowStart = now - Math.floorMod(now, WINDOW.toMillis());
    Instant reset = Instant.ofEpochMilli(windowStart + WINDOW.toMillis());
    RateWindow window = windows.get(principal.id());
    if (window == null) {
      return new RateLimitState(limit, limit, reset);
    }
    synchronized (window) {
      long used = window.windowStart == windowStart ? window.count : 0;
      return new RateLimitState(limit, Math.max(0, limit - used), reset);
    }
  }

  @Override
  public Balance balance(String accountId) {
    Account account = accounts.get(accountId);
    if (account == null) {
      return Balance.ZERO;
    }
    synchronized (account) {
      return new Balance(account.usedRequests + account.heldRequests, account.spentNanoUsd);
    }
  }

  // Replay and snapshots, for FileBudgetLedger. Single-threaded: before the ledger is shared, or
  // while its owner keeps every other call out.

  /** Re-applies a granted reservation without checking limits. */
  void restoreHold(HoldRecord hold) {
    if (hold.principal() != null && hold.windowStart() != 0) {
      RateWindow window = windows.computeIfAbsent(hold.principal(), p -> new RateWindow());
      if (hold.windowStart() > window.windowStart) {
        window.windowStart = hold.windowStart();
        window.count = 0;
      }
      if (hold.windowStart() == window.windowStart) {
        window.count++;
      }
    }
    Account row = accounts.computeIfAbsent(hold.account(), a -> new Account());
    row.heldRequests += hold.estimate().requests();
    row.heldNanoUsd += hold.estimate().nanoUsd();
    holds.put(hold.id(), hold);
    restoreIds(Long.parseLong(hold.id()));
  }

  void restoreAccount(String account, long usedRequests, long spentNanoUsd) {
    Account row = accounts.computeIfAbsent(account, a -> new Account());
    row.usedRequests = usedRequests;
    row.spentNanoUsd = spentNanoUsd;
  }

  void restoreWindow(String principal, long windowStart, long count) {
    RateWindow window = windows.computeIfAbsent(principal, p -> new RateWindow());
    window.windowStart = windowStart;
    window.count = count;
  }

  /** New reservation ids start above {@code lastId}. */
  void restoreIds(long lastId) {
    ids.accumulateAndGet(lastId, Math::max);
  }

  /** The holds open now. */
  List<HoldRecord> openHolds() {
    return List.copyOf(holds.values());
  }

  /** The whole state, as {@link #restoreAccount} and friends rebuild it. */
  State export() {
    List<State.AccountRow> accountRows = new ArrayList<>();
    accounts.forEach(
        (id, account) -> {
          synchronized (account) {
            accountRows.add(new State.AccountRow(id, account.usedRequests, account.spentNanoUsd));
          }
        });
    List<State.WindowRow> windowRows = new ArrayList<>();
    windows.forEach(
        (id, window) -> {
          synchronized (window) {
            if (window.count > 0) {
              windowRows.add(new State.WindowRow(id, window.windowStart, window.count));
            }
          }
        });
    return new State(ids.get(), accountRows, windowRows, List.copyOf(holds.values()));
  }

  /** A copy of the ledger's state; holds are listed apart from the accounts' settled totals. */
  record State(
      long lastId, List<AccountRow> accounts, List<WindowRow> windows, List<HoldRecord> holds) {
    record AccountRow(String account, long usedRequests, long spentNanoUsd) {}

    record WindowRow(String principal, long windowStart, long count) {}
  }
}
