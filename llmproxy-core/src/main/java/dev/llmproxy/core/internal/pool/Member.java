package dev.llmproxy.core.internal.pool;

import dev.llmproxy.core.pools.PoolMember;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pool member at run time: its configuration, the exchanges it has in flight, and until when it
 * rests. Rest and failures are guarded by the owning {@link Pool}'s lock.
 */
public final class Member {
  /** The first rest after a connection failure or a failing status; doubles with each in a row. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  private final PoolMember config;
  private final int index;
  private final AtomicInteger inFlight = new AtomicInteger();
  private Instant restingUntil = Instant.MIN;
  private int failures; // in a row
  long currentWeight; // smooth weighted round-robin

  Member(PoolMember config, int index) {
    this.config = config;
    this.index = index;
  }

  /** The member's configuration. */
  public PoolMember config() {
    return config;
  }

  /** The member's id, for events. */
  public String id() {
    return config.id();
  }

  int index() {
    return index;
  }

  /** Exchanges that hold an answer of this member, or wait for one. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Counts an exchange in flight; pair with {@link #release()}. */
  public void acquire() {
    inFlight.incrementAndGet();
  }

  /** Ends what {@link #acquire()} counted. */
  public void release() {
    inFlight.decrementAndGet();
  }

  boolean restsAt(Instant now) {
    return now.isBefore(restingUntil);
  }

  Instant restingUntil() {
    return restingUntil;
  }

  void restUntil(Instant until) {
    if (until.isAfter(restingUntil)) {
      restingUntil = until;
    }
  }

  /**
   * One more failure in a row; rests {@code 1 s * 2^(failures-1)}, at most {@code cap} (the pool's
   * cooldown).
   */
  void failed(Instant now, Duration cap) {
    failures = Math.min(failures + 1, 30);
    Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 20));
    restUntil(now.plus(backoff.compareTo(cap) > 0 ? cap : backoff));
  }

  void answered() {
    failures = 0;
  }

  @Override
  public String toString() {
    return "Member[" + id() + ", inFlight=" + inFlight + ", restingUntil=" + restingUntil + "]";
  }
}
