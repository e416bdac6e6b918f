package dev.llmproxy.core.internal.pool;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.llmproxy.api.Headers;
import dev.llmproxy.core.pools.PoolStrategy;
import dev.llmproxy.core.pools.UpstreamPool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pool at run time: picks the member a request tries next and learns from each try's outcome. A
 * pick skips members the request already tried and members that rest, unless every untried member
 * rests (then the one back soonest); among the rest the strategy decides, unless the request's
 * conversation already sits on a healthy member (affinity). Thread-safe.
 */
public final class Pool {
  private static final Logger log = LoggerFactory.getLogger(Pool.class);

  /** Conversations remembered for affinity, at most, and for how long since their last request. */
  static final int AFFINITY_ENTRIES = 100_000;

  static final Duration AFFINITY_IDLE = Duration.ofHours(1);

  private final UpstreamPool config;
  private final List<Member> members;
  private final Clock clock;
  private final Cache<String, Member> affinity;
  private int lastTurn = -1; // the member round-robin picked last

  public Pool(UpstreamPool config, Clock clock) {
    this.config = config;
    this.clock = clock;
    List<Member> list = new ArrayList<>();
    for (int i = 0; i < config.members().size(); i++) {
      list.add(new Member(config.members().get(i), i));
    }
    this.members = List.copyOf(list);
    this.affinity =
        Caffeine.newBuilder()
            .maximumSize(AFFINITY_ENTRIES)
            .expireAfterAccess(AFFINITY_IDLE)
            .executor(Runnable::run)
            .build();
  }

  /** The pool's configuration. */
  public UpstreamPool config() {
    return config;
  }

  /** The members, in configured order. */
  public List<Member> members() {
    return members;
  }

  /** Whether {@code status} moves a request to the next member. */
  public boolean retries(int status) {
    return config.retryOn().contains(status);
  }

  /**
   * The member to try next for a request of conversation {@code key} ({@code null}: none) that
   * already tried {@code tried}; empty when every member was tried.
   */
  public synchronized Optional<Member> pick(String key, Set<Member> tried) {
    Instant now = clock.instant();
    List<Member> ready = new ArrayList<>(members.size());
    Member soonest = null;
    for (Member m : members) {
      if (tried.contains(m)) {
        continue;
      }
      if (!m.restsAt(now)) {
        ready.add(m);
      } else if (soonest == null || m.restingUntil().isBefore(soonest.restingUntil())) {
        soonest = m;
      }
    }
    if (ready.isEmpty()) {
      if (soonest != null && key != null) {
        affinity.put(key, soonest);
      }
      return Optional.ofNullable(soonest); // all rest: the one back first
    }
    if (key != null) {
      Member sticky = affinity.getIfPresent(key);
      if (sticky != null && ready.contains(sticky)) {
        return Optional.of(sticky);
      }
    }
    Member chosen = choose(ready);
    if (key != null) {
      affinity.put(key, chosen);
    }
    return Optional.of(chosen);
  }

  private Member choose(List<Member> ready) {
    PoolStrategy strategy = config.strategy();
    return switch (strategy) {
      case FILL_FIRST -> ready.get(0);
      case ROUND_ROBIN -> nextInTurn(ready);
      case LEAST_IN_FLIGHT -> leastInFlight(ready);
      case WEIGHTED -> weighted(ready);
    };
  }

  /** The first ready member after the one picked last, in configured order (wrapping round). */
  private Member nextInTurn(List<Member> ready) {
    Member chosen = ready.get(0);
    for (Member m : ready) {
      if (m.index() > lastTurn) {
        chosen = m;
        break;
      }
    }
    lastTurn = chosen.index();
    return chosen;
  }

  private Member leastInFlight(List<Member> ready) {
    int least = Integer.MAX_VALUE;
    for (Member m : ready) {
      least = Math.min(least, m.inFlight());
    }
    List<Member> tied = new ArrayList<>();
    for (Member m : ready) {
      if (m.inFlight() == least) {
        tied.add(m);
      }
    }
    return tied.size() == 1 ? tied.get(0) : nextInTurn(tied);
  }

  /** Smooth weighted round-robin (as nginx): exact shares, no member picked in long runs. */
  private static Member weighted(List<Member> ready) {
    long total = 0;
    Member best = null;
    for (Member m : ready) {
      m.currentWeight += m.config().weight();
      total += m.config().weight();
      if (best == null || m.currentWeight > best.currentWeight) {
        best = m;
      }
    }
    best.currentWeight -= total;
    return best;
  }

  /** {@code member} answered with a status that is not retried: it is healthy. */
  public synchronized void answered(Member member) {
    member.answered();
  }

  /**
   * {@code member} answered 429 or 529: it rests until the answer's {@code retry-after} or
   * rate-limit reset, else for the pool's cooldown.
   */
  public synchronized void rateLimited(Member member, Headers headers) {
    Instant now = clock.instant();
    member.answered(); // reachable
    Instant until = RestTimes.until(headers, now).orElse(now.plus(config.cooldown()));
    member.restUntil(until);
    log.info(
        "Pool {} member {} is rate limited; it rests for {} s",
        config.provider(),
        member.id(),
        Duration.between(now, member.restingUntil()).toSeconds());
  }

  /** {@code member} could not be reached or answered a failing status: it backs off. */
  public synchronized void failed(Member member) {
    Instant now = clock.instant();
    member.failed(now, config.cooldown());
    log.info(
        "Pool {} member {} failed; it rests for {} ms",
        config.provider(),
        member.id(),
        Duration.between(now, member.restingUntil()).toMillis());
  }

  /** Each member's state now, in order. */
  public synchronized List<dev.llmproxy.core.pools.MemberState> states() {
    Instant now = clock.instant();
    List<dev.llmproxy.core.pools.MemberState> states = new ArrayList<>();
    for (Member m : members) {
      states.add(
          new dev.llmproxy.core.pools.MemberState(
              config.provider().value(),
              m.id(),
              m.restsAt(now) ? java.util.Optional.of(m.restingUntil()) : java.util.Optional.empty(),
              m.inFlight()));
    }
    return states;
  }

  /** Each member's state now: {@code ready} or {@code resting until …}, and its load. */
  public synchronized List<String> describe() {
    Instant now = clock.instant();
    List<String> states = new ArrayList<>();
    for (Member m : members) {
      states.add(
          m.id()
              + ": "
              + (m.restsAt(now) ? "resting until " + m.restingUntil() : "ready")
              + ", in flight "
              + m.inFlight());
    }
    return states;
  }
}
