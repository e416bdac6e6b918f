package dev.llmproxy.api;

import java.util.Objects;

/**
 * A granted hold on a principal's budgets, to be settled exactly once by {@link
 * BudgetLedger#commit} or {@link BudgetLedger#refund}.
 *
 * @param id ledger-assigned identifier, unique per reservation
 * @param principal who the hold is for
 * @param estimate what was held
 */
public record Reservation(String id, Principal principal, Charge estimate) {
  public Reservation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(estimate, "estimate");
  }
}
