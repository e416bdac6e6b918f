package dev.llmproxy.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A hold whose instance stopped without settling it (killed, crashed, or cut off from the database
 * longer than its lease), booked by {@link BudgetLedger#heartbeat} at its whole estimate: the
 * request may have reached the upstream and been answered in full, and a ledger must never count
 * less than the upstream may bill. The engine records it as an exchange whose cost is an estimate.
 *
 * @param reservationId the hold's id
 * @param principalId who the hold was for
 * @param accountId the principal's own account it was booked to (see {@link Principal#accountId()})
 * @param teamAccounts the accounts of the principal's teams it was also booked to ({@link
 *     TeamBudget#accountId()})
 * @param purpose what the hold was for
 * @param booked what was booked: the hold's estimate
 * @param reservedAt when the hold was placed
 */
public record ReclaimedHold(
    String reservationId,
    String principalId,
    String accountId,
    List<String> teamAccounts,
    Purpose purpose,
    Charge booked,
    Instant reservedAt) {
  public ReclaimedHold {
    Objects.requireNonNull(reservationId, "reservationId");
    Objects.requireNonNull(accountId, "accountId");
    teamAccounts = List.copyOf(teamAccounts);
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(booked, "booked");
    Objects.requireNonNull(reservedAt, "reservedAt");
  }
}
