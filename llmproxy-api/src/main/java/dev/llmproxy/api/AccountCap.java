package dev.llmproxy.api;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One account a reservation is booked to, with its caps as they stand in the current period: the
 * principal's own account, then each of its {@linkplain Limits#teams() teams}.
 *
 * @param accountId the ledger account
 * @param maxRequests requests the account may send in the period, if limited
 * @param maxSpendNanoUsd what it may spend in the period, if limited
 * @param periodStart when the current period began ({@link Instant#EPOCH} for caps that never
 *     reset); a ledger starts the account's counts from zero the first time it sees a later start
 */
public record AccountCap(
    String accountId, OptionalLong maxRequests, OptionalLong maxSpendNanoUsd, Instant periodStart) {
  public AccountCap {
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(maxRequests, "maxRequests");
    Objects.requireNonNull(maxSpendNanoUsd, "maxSpendNanoUsd");
    Objects.requireNonNull(periodStart, "periodStart");
  }

  /** The caps of {@code principal} and its teams at {@code at}, periods aligned in {@code zone}. */
  public static List<AccountCap> of(Principal principal, Instant at, ZoneId zone) {
    Limits limits = principal.limits();
    List<AccountCap> caps = new ArrayList<>(1 + limits.teams().size());
    caps.add(
        new AccountCap(
            principal.accountId(),
            limits.maxRequests(),
            limits.maxSpendNanoUsd(),
            limits.period().start(at, zone)));
    for (TeamBudget team : limits.teams()) {
      caps.add(
          new AccountCap(
              team.accountId(),
              team.maxRequests(),
              team.maxSpendNanoUsd(),
              team.period().start(at, zone)));
    }
    return List.copyOf(caps);
  }
}
