package dev.llmproxy.core.ledger;

import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Purpose;
import dev.llmproxy.api.ReclaimedHold;
import java.time.Instant;

/**
 * One open hold as the ledgers in this package keep, journal and snapshot it.
 *
 * @param principal the principal's id, or {@code null} in a record written before it was kept
 * @param windowStart the start of the rate window the reservation took a slot in; 0 if none
 * @param reservedAt epoch milliseconds; 0 in a record written before it was kept
 */
record HoldRecord(
    String id,
    String principal,
    String account,
    long windowStart,
    Charge estimate,
    Purpose purpose,
    long reservedAt) {

  /** This hold, reclaimed at its whole estimate. */
  ReclaimedHold reclaimed() {
    return new ReclaimedHold(
        id, principal, account, purpose, estimate, Instant.ofEpochMilli(reservedAt));
  }
}
