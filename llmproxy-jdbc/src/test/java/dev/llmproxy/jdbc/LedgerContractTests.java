package dev.llmproxy.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.testing.LedgerContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The ledger contract, bound to the H2 and PostgreSQL ledgers. */
class LedgerContractTests {
  /** A JDBC ledger on a fresh database; a second ledger on it plays another process. */
  abstract class Jdbc extends LedgerContract {
    private HikariDataSource dataSource;
    private JdbcBudgetLedger ledger;
    private final List<JdbcBudgetLedger> others = new ArrayList<>();

    abstract HikariDataSource database() throws Exception;

    boolean groupCommit() {
      return false;
    }

    @Override
    protected BudgetLedger ledger() throws Exception {
      dataSource = database();
      ledger = instance("a", groupCommit());
      return ledger;
    }

    private JdbcBudgetLedger instance(String name, boolean groupCommit) {
      JdbcBudgetLedger instance =
          JdbcBudgetLedger.builder(dataSource)
              .instanceName(name)
              .lease(lease())
              .groupCommit(groupCommit)
              .build();
      others.add(instance);
      return instance;
    }

    @Override
    protected BudgetLedger sameStore() {
      return instance("b", false);
    }

    @Override
    protected BudgetLedger restarted() {
      ledger.balance("flush"); // a read queues behind the group writer's pending settlements
      return instance("a", groupCommit()); // the old one is abandoned, as a killed process's
    }

    @AfterEach
    void close() {
      others.forEach(JdbcBudgetLedger::close);
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
