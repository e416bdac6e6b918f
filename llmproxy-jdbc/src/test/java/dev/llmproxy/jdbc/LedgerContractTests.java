package dev.llmproxy.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.core.InMemoryBudgetLedger;
import dev.llmproxy.core.Tiers;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The ledger contract, bound to the in-memory, H2 and PostgreSQL ledgers. */
class LedgerContractTests {
  @Nested
  class InMemory extends LedgerContract {
    @Override
    BudgetLedger ledger(Tiers tiers, Clock clock) {
      return new InMemoryBudgetLedger(tiers, clock);
    }
  }

  @Nested
  class H2 extends LedgerContract {
    private HikariDataSource dataSource;

    @Override
    BudgetLedger ledger(Tiers tiers, Clock clock) {
      dataSource = Databases.h2();
      return new JdbcBudgetLedger(dataSource, tiers, clock);
    }

    @Override
    BudgetLedger sameStore(Tiers tiers, Clock clock) {
      return new JdbcBudgetLedger(dataSource, tiers, clock);
    }

    @AfterEach
    void close() {
      if (dataSource != null) {
        dataSource.close();
      }
    }
  }

  /** The embedded database's ledger: one writer, batched commits. */
  @Nested
  class H2GroupCommit extends LedgerContract {
    private HikariDataSource dataSource;
    private JdbcBudgetLedger ledger;

    @Override
    BudgetLedger ledger(Tiers tiers, Clock clock) {
      dataSource = Databases.h2();
      ledger = JdbcBudgetLedger.groupCommit(dataSource, tiers, clock);
      return ledger;
    }

    @Override
    BudgetLedger sameStore(Tiers tiers, Clock clock) {
      return new JdbcBudgetLedger(dataSource, tiers, clock);
    }

    @AfterEach
    void close() {
      if (ledger != null) {
        ledger.close();
      }
      if (dataSource != null) {
        dataSource.close();
      }
    }
  }

  @Nested
  class Postgres extends LedgerContract {
    private HikariDataSource dataSource;

    @Override
    BudgetLedger ledger(Tiers tiers, Clock clock) throws Exception {
      dataSource = Databases.postgres();
      return new JdbcBudgetLedger(dataSource, tiers, clock);
    }

    @Override
    BudgetLedger sameStore(Tiers tiers, Clock clock) {
      return new JdbcBudgetLedger(dataSource, tiers, clock);
    }

    @AfterEach
    void close() {
      if (dataSource != null) {
        dataSource.close();
      }
    }
  }
}
