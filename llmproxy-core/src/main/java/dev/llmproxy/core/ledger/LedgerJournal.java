package dev.llmproxy.core.ledger;

import dev.llmproxy.api.Charge;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link FileBudgetLedger}'s journal: appends each change of the in-memory state as one line,
 * under the state's own locks, and compacts in the background, switching to a new journal and
 * writing the snapshot it starts from once the current one outgrows its limit (or a write failed).
 */
final class LedgerJournal implements InMemoryBudgetLedger.Journal {
  private static final Logger log = LoggerFactory.getLogger(LedgerJournal.class);

  private final Path dir;
  private final InMemoryBudgetLedger memory;
  private final long journalLimit;

  /** Every change holds the read side; compaction holds the write side to switch journals. */
  private final ReentrantReadWriteLock switching = new ReentrantReadWriteLock();

  /** One append at a time, so a failed write can never have another record land after it. */
  private final ReentrantLock appending = new ReentrantLock();

  private final AtomicLong journalBytes = new AtomicLong();
  private final AtomicBoolean compacting = new AtomicBoolean();
  private final ExecutorService compactor =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "llmproxy-ledger-compactor");
            thread.setDaemon(true);
            return thread;
          });
  private FileOutputStream journal; // a stream, not a channel: an interrupt must not close it
  private long generation;
  private volatile boolean broken; // a write failed: nothing more goes into this journal
  private boolean closed;

  LedgerJournal(
      Path dir,
      InMemoryBudgetLedger memory,
      long generation,
      FileOutputStream journal,
      long journalLimit) {
    this.dir = dir;
    this.memory = memory;
    this.generation = generation;
    this.journal = journal;
    this.journalLimit = journalLimit;
    memory.attach(this);
  }

  /** Runs {@code change} to the state while no compaction switches journals. */
  <T> T change(Supplier<T> change) {
    switching.readLock().lock();
    try {
      return change.get();
    } finally {
      switching.readLock().unlock();
    }
  }

  /** After a failed write, retries moving to a new journal, e.g. once the disk has room again. */
  void retryIfBroken() {
    if (broken) {
      compactIfDue();
    }
  }

  @Override
  public void reserved(HoldRecord hold) {
    try {
      append(LedgerRecords.reserve(hold));
    } catch (IOException e) {
      throw new UncheckedIOException("the ledger journal refused a reservation", e);
    }
  }

  @Override
  public void settled(String id, Charge actual) {
    try {
      append(LedgerRecords.settle(id, actual));
    } catch (IOException e) {
      // Memory settles anyway; on restart the hold is booked at its estimate, never less.
      log.error("Could not journal the settlement of reservation {}: {}", id, e.toString());
    }
  }

  /**
   * Appends one record. After a failed write (a full disk, say) the journal may end in part of a
   * line, which replay ignores as long as nothing follows it: so this journal takes no more
   * records, and compaction moves the ledger to a new one.
   */
  private void append(byte[] line) throws IOException {
    appending.lock();
    try {
      if (broken) {
        throw new IOException("the ledger journal is being replaced after a failed write");
      }
      try {
        journal.write(line); // O_APPEND: one write(2) at the end of the file
      } catch (IOException e) {
        broken = true;
        compactIfDue();
        throw e;
      }
    } finally {
      appending.unlock();
    }
    journalBytes.addAndGet(line.length);
  }

  void compactIfDue() {
    if ((broken || journalBytes.get() > journalLimit) && compacting.compareAndSet(false, true)) {
      try {
        compactor.execute(this::compact);
      } catch (RejectedExecutionException e) {
        compacting.set(false); // closing
      }
    }
  }

  /** Switches to a new journal, then writes the snapshot it starts from and drops older files. */
  private void compact() {
    try {
      long next;
      FileOutputStream previous;
      InMemoryBudgetLedger.State state;
      switching.writeLock().lock();
      try {
        if (closed) {
          return;
        }
        next = generation + 1;
        previous = journal;
        journal = LedgerFiles.openJournal(dir, next);
        state = memory.export();
        generation = next;
        journalBytes.set(0);
        broken = false;
      } finally {
        switching.writeLock().unlock();
      }
      previous.close();
      // Older files go only once the snapshot that replaces them is durable.
      LedgerFiles.writeSnapshot(dir, next, state);
      LedgerFiles.deleteBefore(dir, next);
    } catch (IOException | RuntimeException e) {
      log.error("Could not compact the ledger journal; will retry: {}", e.toString());
      compacting.set(false); // the next append retries; retrying here could spin on a full disk
      return;
    }
    compacting.set(false);
    compactIfDue(); // the new journal may have outgrown its limit while this one was written
  }

  /** Waits until no compaction is running or queued; for tests, with no appends meanwhile. */
  void awaitCompaction() throws InterruptedException, ExecutionException {
    do {
      compactor.submit(() -> {}).get();
    } while (compacting.get());
  }

  /**
   * Closes the journal and stops compacting; false if a compaction is still running (it may still
   * be deleting files, so the directory must stay locked).
   */
  boolean close() {
    switching.writeLock().lock();
    try {
      if (closed) {
        return false;
      }
      closed = true; // a compaction that has not switched yet now never will
      journal.close();
    } catch (IOException e) {
      log.warn("Could not close the ledger journal: {}", e.toString());
    } finally {
      switching.writeLock().unlock();
    }
    compactor.shutdown();
    try {
      if (!compactor.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("Ledger compaction still running at close; keeping the directory locked");
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }
}
