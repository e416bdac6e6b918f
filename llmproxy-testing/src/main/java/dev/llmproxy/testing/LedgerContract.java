package dev.llmproxy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Purpose;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.ReclaimedHold;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.api.TeamBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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

/**
 * What every {@link BudgetLedger} must do, as a JUnit 5 suite: extend it, return a fresh ledger
 * from {@link #ledger()}, and (for a ledger several processes share) a second one on the same store
 * from {@link #sameStore()}. The in-memory, file and JDBC ledgers all pass it; a host's own ledger
 * should too.
 *
 * <pre>{@code
 * class MyLedgerTest extends LedgerContract {
 *   @Override
 *   protected BudgetLedger ledger() {
 *     return new MyLedger(freshDatabase());
 *   }
 * }
 * }</pre>
 */
public abstract class LedgerContract {
  /** The time every request of a test is made at, unless the test moves it. */
  protected final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:10Z"));

  private final Map<String, Integer> ratesByTier =
      new HashMap<>(Map.of("free", 20, "hobby", 60, "pro", 300, "enterprise", 1000));

  /** A fresh ledger over fresh state. */
  protected abstract BudgetLedger ledger() throws Exception;

  /**
   * A second ledger on the store of the last {@link #ledger()} (another process), or {@code null}
   * for a ledger whose state lives in one process.
   */
  protected BudgetLedger sameStore() throws Exception {
    return null;
  }

  /**
   * This instance again after an unclean stop (a crash: nothing was settled), on the store of the
   * last {@link #ledger()}, or {@code null} for a ledger whose holds die with its process. The last
   * ledger must not be used afterwards.
   */
  protected BudgetLedger restarted() throws Exception {
    return null;
  }

  /**
   * How long a hold outlives the last heartbeat of its instance, as the ledgers of {@link
   * #ledger()} and {@link #sameStore()} are configured; the default is one minute.
   */
  protected Duration lease() {
    return Duration.ofMinutes(1);
  }

  /** A fresh ledger, with requests of {@code tier} made at {@code requestsPerMinute}. */
  private BudgetLedger ledgerForTier(String tier, int requestsPerMinute) throws Exception {
    ratesByTier.put(tier, requestsPerMinute);
    return ledger();
  }

  private Decision reserve(BudgetLedger ledger, Principal principal, Charge estimate) {
    return reserve(ledger, principal, estimate, clock.instant());
  }

  private Decision reserve(BudgetLedger ledger, Principal principal, Charge estimate, Instant at) {
    return ledger.reserve(new ReservationRequest(principal, estimate, rateOf(principal), at));
  }

  private RateLimitState rateLimit(BudgetLedger ledger, Principal principal) {
    return ledger.rateLimit(principal, rateOf(principal), clock.instant());
  }

  private RateLimit rateOf(Principal principal) {
    return new RateLimit(ratesByTier.getOrDefault(principal.tier(), 0));
  }

  /** One racer's work; {@code thread} is its index. */
  private interface Racer {
    void run(int thread) throws Exception;
  }

  /** Runs {@code racer} on {@code threads} threads released at once; rethrows any failure. */
  private static void race(int threads, Racer racer) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  racer.run(thread);
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
  }

  private static Principal token(String tier, OptionalLong maxRequests, OptionalLong maxSpend) {
    return token(tier, maxRequests, maxSpend, "tok_1");
  }

  private static Principal token(
      String tier, OptionalLong maxRequests, OptionalLong maxSpend, String tokenId) {
    return new Principal(
        "alice",
        Principal.Kind.USER,
        tier,
        Set.of(),
        Map.of(Principal.TOKEN_ID, tokenId),
        new Limits(maxRequests, maxSpend, List.of(), Set.of()));
  }

  @Test
  public void theRateWindowDeniesWithRetryAfterAndRollsAtTheMinute() throws Exception {
    BudgetLedger ledger = ledgerForTier("tiny", 2);
    Principal p = token("tiny", OptionalLong.empty(), OptionalLong.empty());
    Decision.Granted first =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, Charge.oneRequest()));
    assertEquals(1, first.rateLimit().remaining());
    assertEquals(Instant.parse("2026-11-23T10:01:00Z"), first.rateLimit().resetAt());
    assertInstanceOf(Decision.Granted.class, reserve(ledger, p, Charge.oneRequest()));
    Decision.Denied denied =
        assertInstanceOf(Decision.Denied.class, reserve(ledger, p, Charge.oneRequest()));
    assertEquals(Decision.Reason.RATE_LIMITED, denied.reason());
    assertEquals(Duration.ofSeconds(50), denied.retryAfter());
    assertEquals(0, rateLimit(ledger, p).remaining());
    clock.advance(Duration.ofSeconds(50));
    assertEquals(2, rateLimit(ledger, p).remaining());
    assertInstanceOf(Decision.Granted.class, reserve(ledger, p, Charge.oneRequest()));
  }

  @Test
  public void aZeroRateMeansNoRateLimit() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    Principal p = token("free", OptionalLong.empty(), OptionalLong.empty());
    for (int i = 0; i < 50; i++) {
      assertInstanceOf(Decision.Granted.class, reserve(ledger, p, Charge.oneRequest()));
    }
    assertFalse(rateLimit(ledger, p).isLimited());
  }

  @Test
  public void refundsReleaseHoldsAndSettlingTwiceCountsOnce() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    Principal p = token("free", OptionalLong.of(1), OptionalLong.of(1000));
    Decision.Granted held =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 800)));
    assertEquals(
        Decision.Reason.REQUEST_BUDGET_EXHAUSTED,
        assertInstanceOf(Decision.Denied.class, reserve(ledger, p, new Charge(1, 100))).reason());
    ledger.refund(held.reservation());
    ledger.refund(held.reservation());
    assertEquals(Balance.ZERO, ledger.balance("tok_1"));
    Decision.Granted again =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 800)));
    ledger.commit(again.reservation(), new Charge(1, 300));
    ledger.commit(again.reservation(), new Charge(1, 300));
    assertEquals(new Balance(1, 300), ledger.balance("tok_1"));
  }

  @Test
  public void spendHoldsAreWorstCaseAndACommitBooksTheActualCost() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    Principal p = token("free", OptionalLong.empty(), OptionalLong.of(1000));
    Decision.Granted a =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 600)));
    Decision.Denied denied =
        assertInstanceOf(Decision.Denied.class, reserve(ledger, p, new Charge(1, 600)));
    assertEquals(Decision.Reason.SPEND_BUDGET_EXHAUSTED, denied.reason());
    assertEquals(Duration.ZERO, denied.retryAfter());
    ledger.commit(a.reservation(), new Charge(1, 300));
    assertEquals(new Balance(1, 300), ledger.balance("tok_1"));
    assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 700)));
    assertInstanceOf(Decision.Denied.class, reserve(ledger, p, new Charge(1, 1)));
  }

  @Test
  public void aCommitAboveItsHoldIsBookedWholeAndTheAccountIsRefusedAfter() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    Principal p = token("free", OptionalLong.empty(), OptionalLong.of(1000));
    Decision.Granted a =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 600)));
    ledger.commit(a.reservation(), new Charge(1, 5000)); // the upstream reported more
    assertEquals(new Balance(1, 5000), ledger.balance("tok_1"), "spend is what it cost");
    assertEquals(
        Decision.Reason.SPEND_BUDGET_EXHAUSTED,
        assertInstanceOf(Decision.Denied.class, reserve(ledger, p, new Charge(1, 0))).reason());
  }

  @Test
  public void spendIsTheSumOfCommittedCostsAfterARandomConcurrentRun() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    int threads = 8;
    int perThread = 125; // 1,000 reservations
    String[] tokens = {"tok_even", "tok_odd"}; // the spend of each must add up on its own
    long[][] spent = new long[threads][2]; // per thread, per token: what its commits booked
    long[][] used = new long[threads][2];
    race(
        threads,
        thread -> {
          java.util.Random random = new java.util.Random(thread);
          for (int i = 0; i < perThread; i++) {
            int which = i % 2;
            Principal p = token("free", OptionalLong.empty(), OptionalLong.empty(), tokens[which]);
            long hold = 1 + random.nextInt(1_000);
            Decision.Granted g =
                assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, hold)));
            int fate = random.nextInt(4);
            if (fate == 0) {
              ledger.refund(g.reservation());
            } else {
              long actual = fate == 1 ? hold + random.nextInt(5_000) : random.nextInt((int) hold);
              ledger.commit(g.reservation(), new Charge(1, actual));
              spent[thread][which] += actual;
              used[thread][which]++;
            }
          }
        });
    for (int which = 0; which < 2; which++) {
      long spend = 0;
      long requests = 0;
      for (int t = 0; t < threads; t++) {
        spend += spent[t][which];
        requests += used[t][which];
      }
      assertEquals(new Balance(requests, spend), ledger.balance(tokens[which]), tokens[which]);
    }
  }

  @Test
  public void anEstimateNearLongMaxCannotOverflowPastTheCap() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    Principal p = token("free", OptionalLong.of(Long.MAX_VALUE), OptionalLong.of(1_000_000));
    assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 900_000)));
    assertEquals(
        Decision.Reason.SPEND_BUDGET_EXHAUSTED,
        assertInstanceOf(
                Decision.Denied.class, reserve(ledger, p, new Charge(1, Long.MAX_VALUE - 5)))
            .reason());
  }

  @Test
  public void aDeniedBudgetGivesTheRateSlotBack() throws Exception {
    BudgetLedger ledger = ledgerForTier("tiny", 5);
    Principal p = token("tiny", OptionalLong.of(0), OptionalLong.empty());
    assertInstanceOf(Decision.Denied.class, reserve(ledger, p, Charge.oneRequest()));
    assertEquals(
        5,
        rateLimit(ledger, p).remaining(),
        "an implementation may keep the slot; ours give it back");
  }

  @Test
  public void exactlyMaxRequestsAreGrantedUnderContention() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    Principal p = token("free", OptionalLong.of(30), OptionalLong.empty());
    AtomicInteger granted = new AtomicInteger();
    race(
        8,
        thread -> {
          for (int i = 0; i < 20; i++) {
            if (reserve(ledger, p, Charge.oneRequest()) instanceof Decision.Granted g) {
              granted.incrementAndGet();
              if (i % 2 == 0) {
                ledger.commit(g.reservation(), Charge.oneRequest());
              }
            }
          }
        });
    assertEquals(30, granted.get());
  }

  @Test
  public void firstUseUnderContentionNeverDeniesWrongly() throws Exception {
    BudgetLedger ledger = ledgerForTier("busy", 1000);
    for (int round = 0; round < 5; round++) {
      Principal fresh =
          new Principal(
              "fresh-" + round,
              Principal.Kind.USER,
              "busy",
              Set.of(),
              Map.of(Principal.TOKEN_ID, "tok_fresh_" + round),
              new Limits(OptionalLong.of(5), OptionalLong.empty(), List.of(), Set.of()));
      AtomicInteger granted = new AtomicInteger();
      race(
          8,
          thread -> {
            if (reserve(ledger, fresh, Charge.oneRequest()) instanceof Decision.Granted) {
              granted.incrementAndGet();
            }
          });
      assertEquals(5, granted.get(), "round " + round + ": brand-new rows, 8 racers, 5 allowed");
    }
  }

  @Test
  public void aLaggingClockCannotMoveTheWindowBack() throws Exception {
    BudgetLedger ledger = ledgerForTier("tiny", 2);
    Principal p = token("tiny", OptionalLong.empty(), OptionalLong.empty());
    reserve(ledger, p, Charge.oneRequest());
    reserve(ledger, p, Charge.oneRequest());
    Instant lagging = clock.instant().minusSeconds(61);
    BudgetLedger behind = sameStore();
    if (behind != null) {
      assertInstanceOf(Decision.Denied.class, reserve(behind, p, Charge.oneRequest(), lagging));
    }
  }

  @Test
  public void aPrincipalWithoutATokenIsItsOwnAccount() throws Exception {
    BudgetLedger ledger = ledger();
    Principal host = Principal.user("bob", "pro");
    Decision.Granted g =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, host, new Charge(1, 7)));
    ledger.commit(g.reservation(), new Charge(1, 7));
    assertEquals(new Balance(1, 7), ledger.balance("principal:bob"));
  }

  @Test
  public void aRestartedInstanceReclaimsItsOpenHoldsAtOnceBookedAtTheirEstimates()
      throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    Principal p = token("free", OptionalLong.of(10), OptionalLong.of(1000));
    assertEquals(List.of(), ledger.heartbeat(clock.instant()));
    Purpose purpose = new Purpose("anthropic", "POST", "/v1/messages", "claude-sonnet-4-5");
    Decision.Granted open =
        assertInstanceOf(
            Decision.Granted.class,
            ledger.reserve(
                new ReservationRequest(
                    p, new Charge(1, 600), rateOf(p), clock.instant(), purpose)));
    Decision.Granted settled =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 200)));
    ledger.commit(settled.reservation(), new Charge(1, 50));
    BudgetLedger again = restarted();
    if (again == null) {
      return; // its holds died with the process
    }
    clock.advance(Duration.ofSeconds(1));
    List<ReclaimedHold> reclaimed = again.heartbeat(clock.instant());
    assertEquals(1, reclaimed.size(), "the open hold, not the settled one");
    ReclaimedHold hold = reclaimed.get(0);
    assertEquals(open.reservation().id(), hold.reservationId());
    assertEquals("alice", hold.principalId());
    assertEquals("tok_1", hold.accountId());
    assertEquals(List.of(), hold.teamAccounts());
    assertEquals(purpose, hold.purpose());
    assertEquals(new Charge(1, 600), hold.booked());
    assertEquals(Instant.parse("2026-11-23T10:00:10Z"), hold.reservedAt());
    assertEquals(new Balance(2, 650), again.balance("tok_1"), "booked at its estimate");
    assertEquals(List.of(), again.heartbeat(clock.instant()), "reclaimed once");
    // The budget is free again for what the crash did not use.
    assertInstanceOf(Decision.Granted.class, reserve(again, p, new Charge(1, 350)));
  }

  @Test
  public void anotherInstanceReclaimsAHoldOnlyOnceItsLeaseHasExpired() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    BudgetLedger other = sameStore();
    if (other == null) {
      return; // one process: nobody else could reclaim
    }
    Principal p = token("free", OptionalLong.empty(), OptionalLong.of(1000));
    ledger.heartbeat(clock.instant());
    Decision.Granted held =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 600)));
    Duration step = lease().dividedBy(2);
    for (int beat = 0; beat < 4; beat++) { // two leases long, kept alive by its heartbeats
      clock.advance(step);
      ledger.heartbeat(clock.instant());
      assertEquals(List.of(), other.heartbeat(clock.instant()), "a live instance keeps its hold");
    }
    clock.advance(lease().minusSeconds(1)); // the holder stops beating
    assertEquals(List.of(), other.heartbeat(clock.instant()), "not before the lease ends");
    clock.advance(Duration.ofSeconds(2));
    List<ReclaimedHold> reclaimed = other.heartbeat(clock.instant());
    assertEquals(1, reclaimed.size());
    assertEquals(held.reservation().id(), reclaimed.get(0).reservationId());
    assertEquals(new Balance(1, 600), other.balance("tok_1"));
    ledger.commit(held.reservation(), new Charge(1, 10)); // too late: booked once, as reclaimed
    assertEquals(new Balance(1, 600), other.balance("tok_1"));
    assertEquals(List.of(), other.heartbeat(clock.instant()));
  }

  private static Principal periodic(
      String tokenId,
      OptionalLong maxRequests,
      OptionalLong maxSpend,
      BudgetPeriod period,
      List<TeamBudget> teams) {
    return new Principal(
        "user-" + tokenId,
        Principal.Kind.USER,
        "free",
        Set.of(),
        Map.of(Principal.TOKEN_ID, tokenId),
        new Limits(maxRequests, maxSpend, List.of(), Set.of(), period, teams));
  }

  @Test
  public void aDailyCapStartsAgainAtMidnightExactlyAndAHoldAcrossItIsNotCountedTwice()
      throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    clock.set(Instant.parse("2026-11-23T23:59:58Z"));
    Principal p =
        periodic(
            "tok_day", OptionalLong.of(2), OptionalLong.of(1000), BudgetPeriod.daily(), List.of());
    Decision.Granted first =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 400)));
    ledger.commit(first.reservation(), new Charge(1, 400));
    Decision.Granted acrossMidnight =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 500)));
    Decision.Denied full =
        assertInstanceOf(Decision.Denied.class, reserve(ledger, p, new Charge(1, 1)));
    assertEquals(Decision.Reason.REQUEST_BUDGET_EXHAUSTED, full.reason());
    assertEquals("tok_day", full.accountId());

    clock.set(Instant.parse("2026-11-23T23:59:59.999Z"));
    assertInstanceOf(Decision.Denied.class, reserve(ledger, p, new Charge(1, 1)), "not yet");
    clock.set(Instant.parse("2026-11-24T00:00:00Z"));
    Decision.Granted nextDay =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 300)));
    assertEquals(Instant.parse("2026-11-24T00:00:00Z"), ledger.balance("tok_day").periodStart());
    // The hold from yesterday settles today: released, but booked to no period.
    ledger.commit(acrossMidnight.reservation(), new Charge(1, 450));
    ledger.commit(nextDay.reservation(), new Charge(1, 250));
    assertEquals(
        new Balance(1, 250, Instant.parse("2026-11-24T00:00:00Z")), ledger.balance("tok_day"));
    assertInstanceOf(Decision.Granted.class, reserve(ledger, p, new Charge(1, 750)));
  }

  @Test
  public void aTeamCapIsExactUnder60WayConcurrencySplitAcrossTwoInstances() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    BudgetLedger other = sameStore();
    BudgetLedger[] instances = {ledger, other != null ? other : ledger};
    TeamBudget team =
        new TeamBudget(
            "platform", OptionalLong.of(25), OptionalLong.of(100_000), BudgetPeriod.LIFETIME);
    AtomicInteger granted = new AtomicInteger();
    long[] booked = new long[60];
    race(
        60,
        thread -> {
          // 60 users of one team, each with a generous cap of their own
          Principal user =
              periodic(
                  "tok_u" + thread,
                  OptionalLong.of(10),
                  OptionalLong.empty(),
                  BudgetPeriod.LIFETIME,
                  List.of(team));
          BudgetLedger instance = instances[thread % 2];
          for (int i = 0; i < 3; i++) {
            if (reserve(instance, user, new Charge(1, 60)) instanceof Decision.Granted g) {
              granted.incrementAndGet();
              long actual = thread % 3 == 0 ? 90 : 40; // some above their hold
              instance.commit(g.reservation(), new Charge(1, actual));
              booked[thread] += actual;
            }
          }
        });
    long total = java.util.Arrays.stream(booked).sum();
    Balance teamBalance = ledger.balance("team:platform");
    assertEquals(total, teamBalance.spentNanoUsd(), "the team's spend is the sum of its commits");
    assertEquals(granted.get(), teamBalance.usedRequests());
    assertEquals(25, granted.get(), "exactly the team's 25 of 180 attempts by 60 users");
    assertInstanceOf(
        Decision.Denied.class,
        reserve(
            ledger,
            periodic(
                "tok_new",
                OptionalLong.empty(),
                OptionalLong.empty(),
                BudgetPeriod.LIFETIME,
                List.of(team)),
            new Charge(1, 60)),
        "a new member of the team is refused too");
  }

  @Test
  public void aDenialByTheTeamLeavesNoHoldOnTheUsersOwnAccount() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    TeamBudget team =
        new TeamBudget("tiny", OptionalLong.of(1), OptionalLong.empty(), BudgetPeriod.LIFETIME);
    // Host principals without a token: their accounts ("principal:…") sort before "team:tiny",
    // so the user's own hold is placed before the team refuses, and must be undone.
    Principal a = hostPrincipal("a", team);
    Principal b = hostPrincipal("b", team);
    Decision.Granted held =
        assertInstanceOf(Decision.Granted.class, reserve(ledger, a, Charge.oneRequest()));
    Decision.Denied denied =
        assertInstanceOf(Decision.Denied.class, reserve(ledger, b, Charge.oneRequest()));
    assertEquals("team:tiny", denied.accountId());
    assertEquals(0, ledger.balance("principal:b").usedRequests(), "b's own account holds nothing");
    ledger.refund(held.reservation());
    assertEquals(new Balance(0, 0), ledger.balance("team:tiny"));
    assertInstanceOf(Decision.Granted.class, reserve(ledger, b, Charge.oneRequest()));
  }

  private static Principal hostPrincipal(String id, TeamBudget team) {
    return new Principal(
        id,
        Principal.Kind.USER,
        "free",
        Set.of(),
        Map.of(),
        new Limits(
            OptionalLong.of(5),
            OptionalLong.empty(),
            List.of(),
            Set.of(),
            BudgetPeriod.LIFETIME,
            List.of(team)));
  }

  @Test
  public void capsThatStopResettingStillBookIntoTheAccount() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    Principal monthly =
        periodic(
            "tok_m", OptionalLong.of(10), OptionalLong.empty(), BudgetPeriod.monthly(), List.of());
    ledger.commit(
        assertInstanceOf(Decision.Granted.class, reserve(ledger, monthly, Charge.oneRequest()))
            .reservation(),
        Charge.oneRequest());
    // The operator makes the caps lifetime: the account's counts are of a period, its caps not.
    Principal lifetime =
        periodic(
            "tok_m", OptionalLong.of(10), OptionalLong.empty(), BudgetPeriod.LIFETIME, List.of());
    ledger.commit(
        assertInstanceOf(Decision.Granted.class, reserve(ledger, lifetime, Charge.oneRequest()))
            .reservation(),
        Charge.oneRequest());
    assertEquals(2, ledger.balance("tok_m").usedRequests(), "both commits booked");
  }

  private Decision reserveTokens(
      BudgetLedger ledger, Principal principal, long tokens, long limit) {
    return ledger.reserve(
        new ReservationRequest(
            principal, new Charge(1, 0, tokens), new RateLimit(0, limit), clock.instant()));
  }

  @Test
  public void aTokenRateIsExactUnder60WayConcurrencyAndACommitCorrectsItsHold() throws Exception {
    BudgetLedger ledger = ledgerForTier("free", 0);
    BudgetLedger other = sameStore();
    BudgetLedger[] instances = {ledger, other != null ? other : ledger};
    Principal p = token("free", OptionalLong.empty(), OptionalLong.empty(), "tok_tpm");
    List<Decision.Granted> granted = java.util.Collections.synchronizedList(new ArrayList<>());
    race(
        60,
        thread -> {
          if (reserveTokens(instances[thread % 2], p, 100, 1_000) instanceof Decision.Granted g) {
            granted.add(g);
          }
        });
    assertEquals(10, granted.size(), "exactly 1,000 tokens' worth of 100-token holds");
    Decision.Denied denied =
        assertInstanceOf(Decision.Denied.class, reserveTokens(ledger, p, 1, 1_000));
    assertEquals(Decision.Reason.TOKEN_RATE_LIMITED, denied.reason());
    assertEquals(Duration.ofSeconds(50), denied.retryAfter());
    assertEquals(0, denied.rateLimit().tokensRemaining());

    ledger.commit(granted.get(0).reservation(), new Charge(1, 0, 30)); // used 30 of its 100
    assertEquals(
        70, ledger.rateLimit(p, new RateLimit(0, 1_000), clock.instant()).tokensRemaining());
    assertInstanceOf(Decision.Denied.class, reserveTokens(ledger, p, 71, 1_000));
    Decision.Granted fits =
        assertInstanceOf(Decision.Granted.class, reserveTokens(ledger, p, 70, 1_000));
    assertEquals(0, fits.rateLimit().tokensRemaining());
    ledger.commit(granted.get(1).reservation(), new Charge(1, 0, 400)); // more than it held
    assertInstanceOf(Decision.Denied.class, reserveTokens(ledger, p, 1, 1_000));

    clock.advance(Duration.ofSeconds(50)); // the next minute
    Decision.Granted next =
        assertInstanceOf(Decision.Granted.class, reserveTokens(ledger, p, 5_000, 1_000));
    assertEquals(0, next.rateLimit().tokensRemaining(), "a request above the limit takes it all");
    ledger.commit(granted.get(2).reservation(), new Charge(1, 0, 10)); // last minute's: ignored
    assertEquals(
        0, ledger.rateLimit(p, new RateLimit(0, 1_000), clock.instant()).tokensRemaining());
  }
}
