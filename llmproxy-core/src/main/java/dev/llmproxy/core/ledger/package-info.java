/**
 * Budget ledgers for one process: {@link dev.llmproxy.core.ledger.InMemoryBudgetLedger} (exact
 * under any concurrency, gone on restart) and {@link dev.llmproxy.core.ledger.FileBudgetLedger}
 * (the same decisions, journaled to a directory). Several processes sharing budgets use {@code
 * JdbcBudgetLedger} from {@code llmproxy-jdbc}.
 */
package dev.llmproxy.core.ledger;
