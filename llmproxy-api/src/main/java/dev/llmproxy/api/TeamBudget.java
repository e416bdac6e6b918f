package dev.llmproxy.api;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The caps of an account above a principal, such as its team or organisation: every request of
 * every principal in it counts against them, checked in the same atomic reservation as the
 * principal's own and booked in the same commit.
 *
 * @param team the team's name; its account is {@code "team:" + team}
 * @param maxRequests requests the team may send in a period, if limited
 * @param maxSpendNanoUsd what the team may spend in a period, in nano-USD, if limited
 * @param period when the team's caps reset
 */
public record TeamBudget(
    String team, OptionalLong maxRequests, OptionalLong maxSpendNanoUsd, BudgetPeriod period) {
  public TeamBudget {
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(maxRequests, "maxRequests");
    Objects.requireNonNull(maxSpendNanoUsd, "maxSpendNanoUsd");
    Objects.requireNonNull(period, "period");
    if (!team.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "a team name is 1 to 100 letters, digits, '.', '_' or '-'");
    }
  }

  /** The ledger account the team's usage is kept in. */
  public String accountId() {
    return "team:" + team;
  }
}
