package dev.llmproxy.core.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.core.pools.PoolMember;
import dev.llmproxy.core.pools.PoolStrategy;
import dev.llmproxy.core.pools.UpstreamPool;
import dev.llmproxy.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How a pool places 1,000 requests under each strategy, with rest and affinity, on a hand clock.
 */
class PoolTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T10:00:00Z"));

  private Pool pool(PoolStrategy strategy, int... weights) {
    return pool(UpstreamPool.builder(ProviderId.ANTHROPIC).strategy(strategy), weights);
  }

  private Pool pool(UpstreamPool.Builder builder, int... weights) {
    for (int i = 0; i < weights.length; i++) {
      builder.addMember(PoolMember.apiKey("m" + i, "sk-ant-key-" + i).withWeight(weights[i]));
    }
    return new Pool(builder.build(), clock);
  }

  private static Member pick(Pool pool, String key) {
    return pool.pick(key, Set.of()).orElseThrow();
  }

  private static Map<String, Integer> count(Pool pool, int requests) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < requests; i++) {
      counts.merge(pick(pool, null).id(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinGivesEachMemberItsTurn() {
    Pool pool = pool(PoolStrategy.ROUND_ROBIN, 1, 1, 1);
    assertEquals(Map.of("m0", 334, "m1", 333, "m2", 333), count(pool, 1000));
  }

  @Test
  void weightedSplitsInProportionToWeights() {
    Pool pool = pool(PoolStrategy.WEIGHTED, 1, 3);
    assertEquals(Map.of("m0", 250, "m1", 750), count(pool, 1000));
  }

  @Test
  void weightedNeverRunsOneMemberLongWhileAnotherWaits() {
    Pool pool = pool(PoolStrategy.WEIGHTED, 1, 3);
    int longestRun = 0;
    int run = 0;
    String previous = null;
    for (int i = 0; i < 1000; i++) {
      String id = pick(pool, null).id();
      run = id.equals(previous) ? run + 1 : 1;
      longestRun = Math.max(longestRun, run);
      previous = id;
    }
    assertEquals(3, longestRun, "smooth: m1's three turns come together at most");
  }

  @Test
  void leastInFlightSendsLittleToASlowMember() {
    Pool pool = pool(PoolStrategy.LEAST_IN_FLIGHT, 1, 1, 1);
    Member slow = pool.members().get(0);
    Deque<Integer> slowEnds = new ArrayDeque<>(); // request numbers at which m0's answers end
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      while (!slowEnds.isEmpty() && slowEnds.peek() <= i) {
        slowEnds.poll();
        slow.release();
      }
      Member member = pick(pool, null);
      member.acquire();
      counts.merge(member.id(), 1, Integer::sum);
      if (member == slow) {
        slowEnds.add(i + 20); // m0 answers twenty requests later
      } else {
        member.release(); // the others answer at once
      }
    }
    assertTrue(counts.get("m0") <= 60, "the slow member got " + counts);
    assertTrue(
        Math.abs(counts.get("m1") - counts.get("m2")) <= 1, "the fast ones share: " + counts);
  }

  @Test
  void leastInFlightPicksTheIdleMember() {
    Pool pool = pool(PoolStrategy.LEAST_IN_FLIGHT, 1, 1);
    pool.members().get(0).acquire();
    for (int i = 0; i < 1000; i++) {
      assertEquals("m1", pick(pool, null).id());
    }
  }

  @Test
  void fillFirstLeavesTheFirstMemberOnlyWhileItRestsAfterA429() {
    Pool pool = pool(PoolStrategy.FILL_FIRST, 1, 1, 1);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      Set<Member> tried = new HashSet<>();
      Member member = pool.pick(null, tried).orElseThrow();
      if (i == 300) { // m0 is rate limited for 30 s: the request moves to the next member
        assertEquals("m0", member.id());
        pool.rateLimited(member, Headers.of("retry-after", "30"));
        tried.add(member);
        member = pool.pick(null, tried).orElseThrow();
      } else if (i % 7 == 0) {
        pool.answered(member); // answers that are not retried never move it
      }
      counts.merge(member.id(), 1, Integer::sum);
      clock.advance(Duration.ofMillis(100));
    }
    assertEquals(Map.of("m0", 700, "m1", 300), counts, "m1 served the 30 s of m0's rest");
  }

  @Test
  void aRateLimitedMemberRestsForItsRetryAfterAndIsThenUsedAgain() {
    Pool pool = pool(PoolStrategy.FILL_FIRST, 1, 1);
    Member first = pick(pool, null);
    pool.rateLimited(first, Headers.of("retry-after", "5"));
    clock.advance(Duration.ofMillis(4_999));
    assertEquals("m1", pick(pool, null).id());
    clock.advance(Duration.ofMillis(1));
    assertEquals("m0", pick(pool, null).id());
  }

  @Test
  void aRateLimitWithoutRetryAfterRestsForTheCooldown() {
    Pool pool =
        pool(
            UpstreamPool.builder(ProviderId.ANTHROPIC)
                .strategy(PoolStrategy.FILL_FIRST)
                .cooldown(Duration.ofSeconds(20)),
            1,
            1);
    pool.rateLimited(pick(pool, null), Headers.empty());
    clock.advance(Duration.ofSeconds(19));
    assertEquals("m1", pick(pool, null).id());
    clock.advance(Duration.ofSeconds(1));
    assertEquals("m0", pick(pool, null).id());
  }

  @Test
  void failuresInARowBackOffLongerAndAnAnswerForgivesThem() {
    Pool pool = pool(PoolStrategy.FILL_FIRST, 1, 1);
    Member first = pool.members().get(0);
    long[] rests = new long[4];
    for (int i = 0; i < 4; i++) {
      pool.failed(first);
      rests[i] = Duration.between(clock.instant(), first.restingUntil()).toMillis();
      clock.set(first.restingUntil());
    }
    assertEquals(1_000, rests[0]);
    assertEquals(2_000, rests[1]);
    assertEquals(4_000, rests[2]);
    assertEquals(8_000, rests[3]);
    pool.answered(first);
    pool.failed(first);
    assertEquals(1_000, Duration.between(clock.instant(), first.restingUntil()).toMillis());
  }

  @Test
  void whenEveryMemberRestsTheOneBackFirstIsTried() {
    Pool pool = pool(PoolStrategy.ROUND_ROBIN, 1, 1, 1);
    pool.rateLimited(pool.members().get(0), Headers.of("retry-after", "30"));
    pool.rateLimited(pool.members().get(1), Headers.of("retry-after", "10"));
    pool.rateLimited(pool.members().get(2), Headers.of("retry-after", "20"));
    for (int i = 0; i < 10; i++) {
      assertEquals("m1", pick(pool, null).id());
    }
  }

  @Test
  void aConversationStaysOnItsMemberAndMovesOnlyWhenItRests() {
    Pool pool =
        pool(
            UpstreamPool.builder(ProviderId.ANTHROPIC)
                .strategy(PoolStrategy.ROUND_ROBIN)
                .affinityByPrincipal(),
            1,
            1,
            1);
    Map<String, String> home = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      String key = "user" + (i % 5);
      String member = pick(pool, key).id();
      assertEquals(home.computeIfAbsent(key, k -> member), member, "request " + i);
    }
    assertTrue(new HashSet<>(home.values()).size() > 1, "conversations still spread: " + home);

    Member rested =
        pool.members().stream()
            .filter(m -> m.id().equals(home.get("user0")))
            .findFirst()
            .orElseThrow();
    pool.rateLimited(rested, Headers.of("retry-after", "60"));
    String moved = pick(pool, "user0").id();
    assertNotEquals(rested.id(), moved);
    clock.advance(Duration.ofMinutes(2)); // the old member is back, the conversation stays put
    for (int i = 0; i < 1000; i++) {
      assertEquals(moved, pick(pool, "user0").id());
    }
  }

  @Test
  void aFailedTryMovesTheConversationToTheMemberThatAnswered() {
    Pool pool =
        pool(
            UpstreamPool.builder(ProviderId.ANTHROPIC)
                .strategy(PoolStrategy.ROUND_ROBIN)
                .affinityByPrincipal(),
            1,
            1);
    Member first = pick(pool, "alice");
    Member second = pool.pick("alice", Set.of(first)).orElseThrow();
    assertNotEquals(first, second);
    assertEquals(second, pick(pool, "alice"));
  }

  @Test
  void withoutAffinityAKeyIsNotSticky() {
    Pool pool = pool(PoolStrategy.ROUND_ROBIN, 1, 1);
    assertNotEquals(pick(pool, null).id(), pick(pool, null).id());
  }

  @Test
  void describeShowsStateButNoKey() {
    Pool pool = pool(PoolStrategy.ROUND_ROBIN, 1, 1);
    pool.rateLimited(pool.members().get(1), Headers.of("retry-after", "30"));
    String states = pool.describe().toString();
    assertEquals(
        "[m0: ready, in flight 0, m1: resting until 2026-01-01T10:00:30Z, in flight 0]", states);
    assertFalse(states.contains("sk-ant"));
    assertFalse(pool.config().toString().contains("sk-ant"), pool.config().toString());
  }
}
