package dev.llmproxy.core.ledger;

import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Purpose;
import dev.llmproxy.api.ReclaimedHold;
import java.time.Instant;
import java.util.List;

/**
 * One open hold as the ledgers in this package keep, journal and snapshot it.
 *
 * @param principal the principal's id, or {@code null} in a record written before it was kept
 * @param accounts the accounts held, the principal's own first, each in the period it was held in
 * @param windowStart the start of the rate window the reservation took a slot in; 0 if none
 * @param reservedAt epoch milliseconds; 0 in a record written before it was kept
 * @param tokenWindow the start of the token-rate window its tokens were held in; 0 if none
 * @param heldTokens the tokens held against the principal's account's token rate
 */
record HoldRecord(
    String id,
    String principal,
    List<Booked> accounts,
    long windowStart,
    Charge estimate,
    Purpose purpose,
    long reservedAt,
    long tokenWindow,
    long heldTokens) {

  HoldRecord {
    accounts = List.copyOf(accounts);
  }

  /** One account of a hold and the period (its start, epoch milliseconds) it was held in. */
  record Booked(String account, long periodStart) {}

  /** The principal's own account. */
  String account() {
    return accounts.get(0).account();
  }

  /** This hold without its rate-window slot, as a snapshot's hold line restores it. */
  HoldRecord withoutWindow() {
    return new HoldRecord(
        id, principal, accounts, 0, estimate, purpose, reservedAt, tokenWindow, heldTokens);
  }

  /** This hold, reclaimed at its whole estimate. */
  ReclaimedHold reclaimed() {
    return new ReclaimedHold(
        id,
        principal,
        account(),
        accounts.subList(1, accounts.size()).stream().map(Booked::account).toList(),
        purpose,
        estimate,
        Instant.ofEpochMilli(reservedAt));
  }
}
