package dev.llmproxy.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.testing.LedgerContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The ledger contract, bound to the H2 and PostgreSQL ledgers. */
class LedgerContractTests {
  /** A JDBC ledger on a fresh database; a second ledger on it plays another process. */
  abstract class Jdbc extends LedgerContract {
    private HikariDataSource dataSource;
    private JdbcBudgetLedger ledger;

    abstract HikariDataSource database() throws Exception;

    boolean groupCommit() {
      return false;
    }

    @Override
    protected BudgetLedger ledger() throws Exception {
      dataSource = database();
      ledger =
          groupCommit()
              ? JdbcBudgetLedger.groupCommit(dataSource)
              : new JdbcBudgetLedger(dataSource);
      return ledger;
    }

    @Override
    protected BudgetLedger sameStore() {
      return new JdbcBudgetLedger(dataSource);
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
  class H2 extends Jdbc {
    @Override
    HikariDataSource database() {
      return Databases.h2();
    }
  }

  /** The embedded database's ledger: one writer, batched commits. */
  @Nested
  class H2GroupCommit extends Jdbc {
    @Override
    HikariDataSource database() {
      return Databases.h2();
    }

    @Override
    boolean groupCommit() {
      return true;
    }
  }

  @Nested
  class Postgres extends Jdbc {
    @Override
    HikariDataSource database() throws Exception {
      return Databases.postgres();
    }
  }
}
