package dev.llmproxy.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.core.ledger.FileBudgetLedger;
import dev.llmproxy.core.ledger.InMemoryBudgetLedger;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The ledger contract, bound to the in-memory, file, H2 and PostgreSQL ledgers. */
class LedgerContractTests {
  @Nested
  class InMemory extends LedgerContract {
    @Override
    BudgetLedger ledger(Tiers tiers, Clock clock) {
      return new InMemoryBudgetLedger(tiers, clock);
    }
  }

  /** The single-process ledger in a directory: journaled memory. */
  @Nested
  class File extends LedgerContract {
    @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir;
    private FileBudgetLedger ledger;

    @Override
    BudgetLedger ledger(Tiers tiers, Clock clock) throws Exception {
      ledger = FileBudgetLedger.open(dir, tiers, clock);
      return ledger;
    }

    @AfterEach
    void close() {
      if (ledger != null) {
        ledger.close();
      }
    }
  }

  /** A JDBC ledger on a fresh database; a second ledger on it plays another process. */
  abstract class Jdbc extends LedgerContract {
    private HikariDataSource dataSource;
    private JdbcBudgetLedger ledger;

    abstract HikariDataSource database() throws Exception;

    boolean groupCommit() {
      return false;
    }

    @Override
    BudgetLedger ledger(Tiers tiers, Clock clock) throws Exception {
      dataSource = database();
      ledger =
          groupCommit()
              ? JdbcBudgetLedger.groupCommit(dataSource, tiers, clock)
              : new JdbcBudgetLedger(dataSource, tiers, clock);
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
