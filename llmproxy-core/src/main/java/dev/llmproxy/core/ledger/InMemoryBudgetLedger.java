package dev.llmproxy.core.ledger;

import dev.llmproxy.api.AccountCap;
import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

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
    final ReentrantLock lock = new ReentrantLock();
    long periodStart; // epoch millis of the period the counts are of; 0 for lifetime caps
    long usedRequests;
    long heldRequests;
    long spentNanoUsd;
    long heldNanoUsd;
    long tokenWindow; // the token-rate window the account's tokens are counted in
    long tokensUsed; // held and committed tokens in it

    /** The tokens used in {@code window}: none if the account's count is of an earlier one. */
    long tokensIn(long window) {
      return tokenWindow == window ? tokensUsed : 0;
    }

    /** Starts the counts from zero if {@code start} is a later period; never moves back. */
    void roll(long start) {
      if (start > periodStart) {
        periodStart = start;
        usedRequests = 0;
        spentNanoUsd = 0;
      }
    }

    /** Why {@code cap} cannot take {@code estimate}, or null if it can. */
    Decision.Reason refusal(AccountCap cap, Charge estimate) {
      // Subtraction form: used + held never exceed the cap, so this cannot overflow.
      if (cap.maxRequests().isPresent()
          && estimate.requests() > cap.maxRequests().getAsLong() - usedRequests - heldRequests) {
        return Decision.Reason.REQUEST_BUDGET_EXHAUSTED;
      }
      if (cap.maxSpendNanoUsd().isPresent()
          && estimate.nanoUsd() > cap.maxSpendNanoUsd().getAsLong() - spentNanoUsd - heldNanoUsd) {
        return Decision.Reason.SPEND_BUDGET_EXHAUSTED;
      }
      return null;
    }
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
      RateLimitState after = // not final: a token limit adds to both
          limit > 0
              ? new RateLimitState(limit, limit - window.count - 1, reset)
              : RateLimitState.unlimited();
      RateLimitState before =
          limit > 0 ? new RateLimitState(limit, limit - window.count, reset) : after;
      List<AccountCap> caps = request.caps();
      long tokenLimit = request.rateLimit().tokensPerMinute();
      List<Account> locked = lockInOrder(caps);
      try {
        Account own = accounts.get(caps.get(0).accountId());
        // A request asking more than a whole window's tokens holds the window: it needs it empty.
        long heldTokens = tokenLimit > 0 ? Math.min(estimate.tokens(), tokenLimit) : 0;
        if (tokenLimit > 0) {
          long used = own.tokensIn(windowStart);
          if (heldTokens > tokenLimit - used) {
            return new Decision.Denied(
                Decision.Reason.TOKEN_RATE_LIMITED,
                Duration.ofMillis(reset.toEpochMilli() - now),
                withTokens(before, reset, tokenLimit, tokenLimit - used),
                caps.get(0).accountId());
          }
          before = withTokens(before, reset, tokenLimit, tokenLimit - used);
          after = withTokens(after, reset, tokenLimit, tokenLimit - used - heldTokens);
        }
        List<HoldRecord.Booked> booked = new ArrayList<>(caps.size());
        for (int i = 0; i < caps.size(); i++) {
          AccountCap cap = caps.get(i);
          Account account = accounts.get(cap.accountId());
          account.roll(cap.periodStart().toEpochMilli());
          Decision.Reason refusal = account.refusal(cap, estimate);
          if (refusal != null) {
            return new Decision.Denied(refusal, Duration.ZERO, before, cap.accountId());
          }
          booked.add(new HoldRecord.Booked(cap.accountId(), account.periodStart));
        }
        String id = Long.toString(ids.incrementAndGet());
        HoldRecord hold =
            new HoldRecord(
                id,
                principal.id(),
                booked,
                windowStart,
                estimate,
                request.purpose(),
                now,
                tokenLimit > 0 ? windowStart : 0,
                heldTokens);
        journal.reserved(hold);
        if (tokenLimit > 0) {
          own.tokensUsed = own.tokensIn(windowStart) + heldTokens;
          own.tokenWindow = windowStart;
        }
        for (AccountCap cap : caps) {
          Account account = accounts.get(cap.accountId());
          account.heldRequests += estimate.requests();
          account.heldNanoUsd += estimate.nanoUsd();
        }
        holds.put(id, hold);
        window.count++;
        return new Decision.Granted(new Reservation(id, principal, estimate), after);
      } finally {
        unlock(locked);
      }
    }
  }

  /**
   * Locks the accounts of {@code caps} (created on first use) in the order of their ids, the one
   * order every reservation and settlement takes them in, so two can never deadlock.
   */
  private List<Account> lockInOrder(List<AccountCap> caps) {
    TreeMap<String, Account> ordered = new TreeMap<>();
    for (AccountCap cap : caps) {
      ordered.put(cap.accountId(), accounts.computeIfAbsent(cap.accountId(), a -> new Account()));
    }
    return lockAll(ordered);
  }

  private static List<Account> lockAll(TreeMap<String, Account> ordered) {
    List<Account> locked = new ArrayList<>(ordered.size());
    for (Account account : ordered.values()) {
      account.lock.lock();
      locked.add(account);
    }
    return locked;
  }

  private static void unlock(List<Account> locked) {
    for (int i = locked.size() - 1; i >= 0; i--) {
      locked.get(i).lock.unlock();
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
    TreeMap<String, Account> ordered = new TreeMap<>();
    for (HoldRecord.Booked booked : hold.accounts()) {
      ordered.put(booked.account(), accounts.computeIfAbsent(booked.account(), a -> new Account()));
    }
    List<Account> locked = lockAll(ordered);
    try {
      journal.settled(id, actual); // what is booked, so a replay books the same
      for (HoldRecord.Booked booked : hold.accounts()) {
        Account account = accounts.get(booked.account());
        account.heldRequests -= hold.estimate().requests();
        account.heldNanoUsd -= hold.estimate().nanoUsd();
        // Booked in the period it was held in; a period that has ended keeps no counts.
        if (actual != null && account.periodStart == booked.periodStart()) {
          account.usedRequests += actual.requests();
          account.spentNanoUsd += actual.nanoUsd();
        }
      }
      Account own = accounts.get(hold.account());
      if (hold.tokenWindow() != 0 && own.tokenWindow == hold.tokenWindow()) {
        // The hold's tokens, corrected to what the upstream reported (none for a refund).
        long actualTokens = actual == null ? 0 : actual.tokens();
        own.tokensUsed = Math.max(0, own.tokensUsed - hold.heldTokens() + actualTokens);
      }
    } finally {
      unlock(locked);
    }
    return true;
  }

  @Override
  public RateLimitState rateLimit(Principal principal, RateLimit rateLimit, Instant at) {
    long now = at.toEpochMilli();
    long windowStart = now - Math.floorMod(now, WINDOW.toMillis());
    Instant reset = Instant.ofEpochMilli(windowStart + WINDOW.toMillis());
    RateLimitState state = RateLimitState.unlimited();
    int limit = rateLimit.requestsPerMinute();
    if (limit > 0) {
      RateWindow window = windows.get(principal.id());
      long used = 0;
      if (window != null) {
        synchronized (window) {
          used = window.windowStart == windowStart ? window.count : 0;
        }
      }
      state = new RateLimitState(limit, Math.max(0, limit - used), reset);
    }
    long tokenLimit = rateLimit.tokensPerMinute();
    if (tokenLimit > 0) {
      Account account = accounts.get(principal.accountId());
      long used = 0;
      if (account != null) {
        account.lock.lock();
        try {
          used = account.tokensIn(windowStart);
        } finally {
          account.lock.unlock();
        }
      }
      state = withTokens(state, reset, tokenLimit, tokenLimit - used);
    }
    return state;
  }

  /** {@code state} with a token window ending at {@code reset}. */
  static RateLimitState withTokens(
      RateLimitState state, Instant reset, long tokenLimit, long tokensRemaining) {
    return new RateLimitState(
        state.limit(), state.remaining(), reset, tokenLimit, Math.max(0, tokensRemaining));
  }

  @Override
  public Balance balance(String accountId) {
    Account account = accounts.get(accountId);
    if (account == null) {
      return Balance.ZERO;
    }
    account.lock.lock();
    try {
      return new Balance(
          account.usedRequests + account.heldRequests,
          account.spentNanoUsd,
          Instant.ofEpochMilli(account.periodStart));
    } finally {
      account.lock.unlock();
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
    for (HoldRecord.Booked booked : hold.accounts()) {
      Account row = accounts.computeIfAbsent(booked.account(), a -> new Account());
      row.roll(booked.periodStart()); // as the reservation did
      row.heldRequests += hold.estimate().requests();
      row.heldNanoUsd += hold.estimate().nanoUsd();
    }
    Account own = accounts.get(hold.account());
    if (hold.tokenWindow() > own.tokenWindow) {
      own.tokenWindow = hold.tokenWindow();
      own.tokensUsed = 0;
    }
    if (hold.tokenWindow() != 0 && hold.tokenWindow() == own.tokenWindow) {
      own.tokensUsed += hold.heldTokens();
    }
    holds.put(hold.id(), hold);
    restoreIds(Long.parseLong(hold.id()));
  }

  void restoreAccount(String account, long periodStart, long usedRequests, long spentNanoUsd) {
    Account row = accounts.computeIfAbsent(account, a -> new Account());
    row.periodStart = periodStart;
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
          account.lock.lock();
          try {
            accountRows.add(
                new State.AccountRow(
                    id, account.periodStart, account.usedRequests, account.spentNanoUsd));
          } finally {
            account.lock.unlock();
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
    record AccountRow(String account, long periodStart, long usedRequests, long spentNanoUsd) {}

    record WindowRow(String principal, long windowStart, long count) {}
  }
}
