package dev.llmproxy.api;

import java.time.Instant;
import java.util.Objects;

/**
 * What an account (an issued token) has used: requests sent upstream or in flight (a request held
 * and not yet settled may already have reached the upstream, so it counts), and money spent, in
 * nano-USD, as committed (in-flight holds are worst-case estimates, not spend).
 */
public record Balance(long usedRequests, long spentNanoUsd, Instant periodStart) {
  /** Nothing used. */
  public static final Balance ZERO = new Balance(0, 0);

  public Balance {
    Objects.requireNonNull(periodStart, "periodStart");
  }

  /** A balance of caps that never reset. */
  public Balance(long usedRequests, long spentNanoUsd) {
    this(usedRequests, spentNanoUsd, Instant.EPOCH);
  }

  /**
   * This balance as it stands in the period that began at {@code currentPeriodStart}: zero if the
   * counts are of an earlier period (nothing was booked since it ended).
   */
  public Balance inPeriod(Instant currentPeriodStart) {
    return periodStart.isBefore(currentPeriodStart) ? new Balance(0, 0, currentPeriodStart) : this;
  }
}
