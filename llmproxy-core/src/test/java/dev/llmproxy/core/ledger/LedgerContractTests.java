package dev.llmproxy.core.ledger;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.testing.LedgerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The ledger contract, bound to the in-memory and file ledgers. */
class LedgerContractTests {
  @Nested
  class InMemory extends LedgerContract {
    @Override
    protected BudgetLedger ledger() {
      return new InMemoryBudgetLedger();
    }
  }

  /** The single-process ledger in a directory: journaled memory. */
  @Nested
  class File extends LedgerContract {
    @TempDir Path dir;
    private FileBudgetLedger ledger;

    @Override
    protected BudgetLedger ledger() throws Exception {
      ledger = FileBudgetLedger.open(dir);
      return ledger;
    }

    @Override
    protected BudgetLedger restarted() throws Exception {
      ledger.close(); // releases the lock only: nothing is settled, as after a crash
      return ledger();
    }

    @AfterEach
    void close() {
      if (ledger != null) {
        ledger.close();
      }
    }
  }
}
