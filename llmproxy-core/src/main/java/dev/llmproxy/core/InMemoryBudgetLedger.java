package dev.llmproxy.core;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * books the actual cost, capped at the hold (the hold is a true upper bound), and releases the
 * rest.
 */
public final class InMemoryBudgetLedger implements BudgetLedger {
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(InMemoryBudgetLedger.class);

  private final Tiers tiers;
  private final Clock clock;
  private final Map<String, RateWindow> windows = new ConcurrentHashMap<>();
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final Map<String, Hold> holds = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  public InMemoryBudgetLedger(Tiers tiers, Clock clock) {
    this.tiers = tiers;
    this.clock = clock;
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

  private record Hold(String account, Charge estimate) {}

  @Override
  public Decision reserve(Principal principal, Charge estimate) {
    int limit = rateFor(principal);
    long now = clock.millis();
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
        account.heldRequests += estimate.requests();
        account.heldNanoUsd += estimate.nanoUsd();
      }
      window.count++;
      String id = Long.toString(ids.incrementAndGet());
      holds.put(id, new Hold(principal.accountId(), estimate));
      return new Decision.Granted(new Reservation(id, principal, estimate), after);
    }
  }

  @Override
  public void commit(Reservation reservation, Charge actual) {
    Hold hold = holds.remove(reservation.id());
    if (hold == null) {
      return; // already settled
    }
    Account account = accounts.get(hold.account());
    synchronized (account) {
      account.heldRequests -= hold.estimate().requests();
      account.heldNanoUsd -= hold.estimate().nanoUsd();
      account.usedRequests += actual.requests();
      if (actual.nanoUsd() > hold.estimate().nanoUsd()) {
        log.warn(
            "Metered cost {} nano-USD exceeds the hold {} of account {}; booked at the hold",
            actual.nanoUsd(),
            hold.estimate().nanoUsd(),
            hold.account());
      }
      account.spentNanoUsd += Math.min(actual.nanoUsd(), hold.estimate().nanoUsd());
    }
  }

  @Override
  public void refund(Reservation reservation) {
    Hold hold = holds.remove(reservation.id());
    if (hold == null) {
      return;
    }
    Account account = accounts.get(hold.account());
    synchronized (account) {
      account.heldRequests -= hold.estimate().requests();
      account.heldNanoUsd -= hold.estimate().nanoUsd();
    }
  }

  @Override
  public RateLimitState rateLimit(Principal principal) {
    int limit = rateFor(principal);
    if (limit <= 0) {
      return RateLimitState.unlimited();
    }
    long now = clock.millis();
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

  private int rateFor(Principal principal) {
    return tiers.tier(principal.tier()).map(Tiers.Tier::requestsPerMinute).orElse(0);
  }
}
