package dev.llmproxy.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.Principal;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link BudgetLedger} must do; one suite, bound to each implementation. */
abstract class LedgerContract {
  final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:10Z"));

  /** A fresh ledger over fresh state. */
  abstract BudgetLedger ledger(Tiers tiers, Clock clock) throws Exception;

  static Principal token(String tier, OptionalLong maxRequests, OptionalLong maxSpend) {
    return new Principal(
        "alice",
        Principal.Kind.USER,
        tier,
        Set.of(),
        Map.of(Principal.TOKEN_ID, "tok_1"),
        new Limits(maxRequests, maxSpend, List.of(), Set.of()));
  }

  @Test
  void theRateWindowDeniesWithRetryAfterAndRollsAtTheMinute() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("tiny", 2), clock);
    Principal p = token("tiny", OptionalLong.empty(), OptionalLong.empty());
    Decision.Granted first =
        assertInstanceOf(Decision.Granted.class, ledger.reserve(p, Charge.oneRequest()));
    assertEquals(1, first.rateLimit().remaining());
    assertEquals(Instant.parse("2026-11-23T10:01:00Z"), first.rateLimit().resetAt());
    assertInstanceOf(Decision.Granted.class, ledger.reserve(p, Charge.oneRequest()));
    Decision.Denied denied =
        assertInstanceOf(Decision.Denied.class, ledger.reserve(p, Charge.oneRequest()));
    assertEquals(Decision.Reason.RATE_LIMITED, denied.reason());
    assertEquals(Duration.ofSeconds(50), denied.retryAfter());
    assertEquals(0, ledger.rateLimit(p).remaining());
    clock.advance(Duration.ofSeconds(50));
    assertEquals(2, ledger.rateLimit(p).remaining());
    assertInstanceOf(Decision.Granted.class, ledger.reserve(p, Charge.oneRequest()));
  }

  @Test
  void aZeroRateMeansNoRateLimit() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("free", 0), clock);
    Principal p = token("free", OptionalLong.empty(), OptionalLong.empty());
    for (int i = 0; i < 50; i++) {
      assertInstanceOf(Decision.Granted.class, ledger.reserve(p, Charge.oneRequest()));
    }
    assertFalse(ledger.rateLimit(p).isLimited());
  }

  @Test
  void refundsReleaseHoldsAndSettlingTwiceCountsOnce() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("free", 0), clock);
    Principal p = token("free", OptionalLong.of(1), OptionalLong.of(1000));
    Decision.Granted held =
        assertInstanceOf(Decision.Granted.class, ledger.reserve(p, new Charge(1, 800)));
    assertEquals(
        Decision.Reason.REQUEST_BUDGET_EXHAUSTED,
        assertInstanceOf(Decision.Denied.class, ledger.reserve(p, new Charge(1, 100))).reason());
    ledger.refund(held.reservation());
    ledger.refund(held.reservation());
    assertEquals(Balance.ZERO, ledger.balance("tok_1"));
    Decision.Granted again =
        assertInstanceOf(Decision.Granted.class, ledger.reserve(p, new Charge(1, 800)));
    ledger.commit(again.reservation(), new Charge(1, 300));
    ledger.commit(again.reservation(), new Charge(1, 300));
    assertEquals(new Balance(1, 300), ledger.balance("tok_1"));
  }

  @Test
  void spendHoldsAreWorstCaseAndCommitsAreCappedAtTheHold() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("free", 0), clock);
    Principal p = token("free", OptionalLong.empty(), OptionalLong.of(1000));
    Decision.Granted a =
        assertInstanceOf(Decision.Granted.class, ledger.reserve(p, new Charge(1, 600)));
    Decision.Denied denied =
        assertInstanceOf(Decision.Denied.class, ledger.reserve(p, new Charge(1, 600)));
    assertEquals(Decision.Reason.SPEND_BUDGET_EXHAUSTED, denied.reason());
    assertEquals(Duration.ZERO, denied.retryAfter());
    ledger.commit(a.reservation(), new Charge(1, 5000));
    assertEquals(new Balance(1, 600), ledger.balance("tok_1"));
    assertInstanceOf(Decision.Granted.class, ledger.reserve(p, new Charge(1, 400)));
    assertInstanceOf(Decision.Denied.class, ledger.reserve(p, new Charge(1, 1)));
  }

  @Test
  void anEstimateNearLongMaxCannotOverflowPastTheCap() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("free", 0), clock);
    Principal p = token("free", OptionalLong.of(Long.MAX_VALUE), OptionalLong.of(1_000_000));
    assertInstanceOf(Decision.Granted.class, ledger.reserve(p, new Charge(1, 900_000)));
    assertEquals(
        Decision.Reason.SPEND_BUDGET_EXHAUSTED,
        assertInstanceOf(
                Decision.Denied.class, ledger.reserve(p, new Charge(1, Long.MAX_VALUE - 5)))
            .reason());
  }

  @Test
  void aDeniedBudgetGivesTheRateSlotBack() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("tiny", 5), clock);
    Principal p = token("tiny", OptionalLong.of(0), OptionalLong.empty());
    assertInstanceOf(Decision.Denied.class, ledger.reserve(p, Charge.oneRequest()));
    assertEquals(
        5,
        ledger.rateLimit(p).remaining(),
        "an implementation may keep the slot; ours give it back");
  }

  @Test
  void exactlyMaxRequestsAreGrantedUnderContention() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("free", 0), clock);
    Principal p = token("free", OptionalLong.of(30), OptionalLong.empty());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger granted = new AtomicInteger();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 20; i++) {
                    if (ledger.reserve(p, Charge.oneRequest()) instanceof Decision.Granted g) {
                      granted.incrementAndGet();
                      if (i % 2 == 0) {
                        ledger.commit(g.reservation(), Charge.oneRequest());
                      }
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(30, granted.get());
  }

  @Test
  void firstUseUnderContentionNeverDeniesWrongly() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("busy", 1000), clock);
    for (int round = 0; round < 5; round++) {
      Principal fresh =
          new Principal(
              "fresh-" + round,
              Principal.Kind.USER,
              "busy",
              Set.of(),
              Map.of(Principal.TOKEN_ID, "tok_fresh_" + round),
              new Limits(OptionalLong.of(5), OptionalLong.empty(), List.of(), Set.of()));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger granted = new AtomicInteger();
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    if (ledger.reserve(fresh, Charge.oneRequest()) instanceof Decision.Granted) {
                      granted.incrementAndGet();
                    }
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> future : futures) {
          future.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(5, granted.get(), "round " + round + ": brand-new rows, 8 racers, 5 allowed");
    }
  }

  @Test
  void aLaggingClockCannotMoveTheWindowBack() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults().withRate("tiny", 2), clock);
    Principal p = token("tiny", OptionalLong.empty(), OptionalLong.empty());
    ledger.reserve(p, Charge.oneRequest());
    ledger.reserve(p, Charge.oneRequest());
    ManualClock lagging = new ManualClock(clock.instant().minusSeconds(61));
    BudgetLedger behind = sameStore(Tiers.defaults().withRate("tiny", 2), lagging);
    if (behind != null) {
      assertInstanceOf(Decision.Denied.class, behind.reserve(p, Charge.oneRequest()));
    }
  }

  /** A second ledger on the same store (another process), or null for in-memory ledgers. */
  BudgetLedger sameStore(Tiers tiers, Clock clock) {
    return null;
  }

  @Test
  void aPrincipalWithoutATokenIsItsOwnAccount() throws Exception {
    BudgetLedger ledger = ledger(Tiers.defaults(), clock);
    Principal host = Principal.user("bob", "pro");
    Decision.Granted g =
        assertInstanceOf(Decision.Granted.class, ledger.reserve(host, new Charge(1, 7)));
    ledger.commit(g.reservation(), new Charge(1, 7));
    assertEquals(new Balance(1, 7), ledger.balance("principal:bob"));
  }
}
