package dev.llmproxy.core.ledger;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.core.PrivateFiles;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link BudgetLedger} for a single process, in a directory and without a database: the
 * {@link InMemoryBudgetLedger}'s exact decisions, with every reservation appended to a journal
 * before it is granted. A reservation costs one {@code write(2)} of about 150 bytes instead of a
 * database commit, which keeps the ledger off the latency of a proxied request.
 *
 * <p><b>Durability.</b> A granted reservation is in the operating system's page cache before the
 * request is forwarded, so it survives the process being killed at any point (the guarantee the
 * embedded H2 database gave, which does not force its file either); it is not forced to the disk on
 * every write, so a power loss can lose the last moments. After an unclean stop, reservations that
 * were never settled are booked at their worst-case estimate: they may have reached the upstream,
 * and a ledger must never count less than the upstream received.
 *
 * <p><b>Files.</b> {@code snapshot-N.jsonl} holds the whole state as of {@code journal-N.jsonl}'s
 * first line; both are JSON lines. Opening the ledger replays the newest snapshot and the journals
 * after it, then compacts them into a new snapshot; a journal that outgrows its limit is compacted
 * the same way in the background. A trailing partial line (a write cut short by the crash) is
 * ignored; any other unreadable line stops the ledger from opening rather than guessing.
 *
 * <p><b>One writer.</b> The directory is locked while the ledger is open; a second process (or a
 * second ledger in this one) fails to open it. Several processes sharing a budget need a shared
 * database ({@code JdbcBudgetLedger}). {@link #balances(Path)} reads the state without the lock,
 * e.g. for a command-line tool while the server runs.
 */
public final class FileBudgetLedger implements BudgetLedger, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileBudgetLedger.class);
  private static final long DEFAULT_JOURNAL_LIMIT = 64L * 1024 * 1024;

  private final Path dir;
  private final InMemoryBudgetLedger memory;
  private final FileChannel lockFile;
  private final FileLock lock;
  private final long journalLimit;

  /** Every change holds the read side; compaction holds the write side to switch journals. */
  private final ReentrantReadWriteLock switching = new ReentrantReadWriteLock();

  /** Directories with an open ledger in this JVM: a file lock is per process, not per ledger. */
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  /** One append at a time, so a failed write can never have another record land after it. */
  private final ReentrantLock appending = new ReentrantLock();

  private final Path key;
  private final AtomicLong journalBytes = new AtomicLong();
  private final AtomicBoolean compacting = new AtomicBoolean();
  private final ExecutorService compactor;
  private FileOutputStream journal; // a stream, not a channel: an interrupt must not close it
  private long generation;
  private volatile boolean broken; // a write failed: nothing more goes into this journal
  private boolean closed;

  private FileBudgetLedger(
      Path dir,
      Path key,
      InMemoryBudgetLedger memory,
      FileChannel lockFile,
      FileLock lock,
      long generation,
      FileOutputStream journal,
      long journalLimit) {
    this.dir = dir;
    this.key = key;
    this.memory = memory;
    this.lockFile = lockFile;
    this.lock = lock;
    this.generation = generation;
    this.journal = journal;
    this.journalLimit = journalLimit;
    this.compactor =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "llmproxy-ledger-compactor");
              thread.setDaemon(true);
              return thread;
            });
    memory.attach(new Appender());
  }

  /**
   * Opens (creating if needed) the ledger in {@code dir} and locks it for this process.
   *
   * @throws IOException if the directory cannot be used, holds unreadable records, or is locked by
   *     another ledger
   */
  public static FileBudgetLedger open(Path dir) throws IOException {
    return open(dir, DEFAULT_JOURNAL_LIMIT);
  }

  static FileBudgetLedger open(Path dir, long journalLimit) throws IOException {
    PrivateFiles.createDirectory(dir);
    Path key = dir.toRealPath();
    if (!OPEN.add(key)) {
      throw new IOException("the budget ledger in " + dir + " is open in another ledger");
    }
    FileChannel lockFile;
    try {
      lockFile = PrivateFiles.openForAppend(dir.resolve("ledger.lock"));
    } catch (IOException | RuntimeException e) {
      OPEN.remove(key);
      throw e;
    }
    try {
      FileLock lock = tryLock(lockFile, dir);
      InMemoryBudgetLedger memory = new InMemoryBudgetLedger();
      long last = LedgerFiles.replay(dir, memory);
      int open = memory.commitOpenHolds();
      if (open > 0) {
        log.warn(
            "Booked {} reservation(s) left open by an unclean stop at their worst-case estimates",
            open);
      }
      long generation = last + 1;
      FileOutputStream journal = LedgerFiles.startGeneration(dir, generation, memory.export());
      return new FileBudgetLedger(
          dir, key, memory, lockFile, lock, generation, journal, journalLimit);
    } catch (IOException | RuntimeException e) {
      lockFile.close();
      OPEN.remove(key);
      throw e;
    }
  }

  /**
   * Starts a ledger in {@code dir} from balances carried over from another ledger (a database's,
   * say), so an upgrade does not hand every account its budget back. Each balance's requests and
   * spend are booked as settled.
   *
   * @throws IOException if {@code dir} already holds a ledger, or cannot be written
   */
  public static void importBalances(Path dir, java.util.Map<String, Balance> balances)
      throws IOException {
    PrivateFiles.createDirectory(dir);
    try (var files = Files.list(dir)) {
      if (files.anyMatch(f -> LedgerFiles.FILE.matcher(f.getFileName().toString()).matches())) {
        throw new IOException("the budget ledger in " + dir + " already exists");
      }
    }
    InMemoryBudgetLedger memory = new InMemoryBudgetLedger();
    balances.forEach(
        (account, balance) ->
            memory.restoreAccount(account, balance.usedRequests(), balance.spentNanoUsd()));
    LedgerFiles.writeSnapshot(dir, 1, memory.export());
  }

  private static FileLock tryLock(FileChannel lockFile, Path dir) throws IOException {
    FileLock lock;
    try {
      lock = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new IOException("the budget ledger in " + dir + " is open in another ledger");
    }
    return lock;
  }

  /**
   * Every account's balance in {@code dir} as of now, read without locking: in-flight requests
   * count as used, as {@link #balance} counts them.
   */
  public static java.util.Map<String, Balance> balances(Path dir) throws IOException {
    for (int attempt = 1; ; attempt++) {
      InMemoryBudgetLedger memory = new InMemoryBudgetLedger();
      try {
        LedgerFiles.replay(dir, memory);
      } catch (NoSuchFileException e) {
        if (attempt < 3) {
          continue; // compacted away while we read: read the new files
        }
        throw e;
      }
      java.util.Map<String, Balance> balances = new java.util.HashMap<>();
      for (InMemoryBudgetLedger.State.AccountRow row : memory.export().accounts()) {
        balances.put(row.account(), memory.balance(row.account()));
      }
      return balances;
    }
  }

  @Override
  public Decision reserve(ReservationRequest request) {
    switching.readLock().lock();
    try {
      return memory.reserve(request);
    } finally {
      switching.readLock().unlock();
      if (broken) {
        compactIfDue(); // retry moving to a new journal, e.g. once the disk has room again
      }
    }
  }

  @Override
  public void commit(Reservation reservation, Charge actual) {
    settle(reservation.id(), actual);
  }

  @Override
  public void refund(Reservation reservation) {
    settle(reservation.id(), null);
  }

  private void settle(String id, Charge actual) {
    switching.readLock().lock();
    try {
      memory.settle(id, actual);
    } finally {
      switching.readLock().unlock();
    }
    compactIfDue();
  }

  @Override
  public RateLimitState rateLimit(Principal principal, RateLimit limit, Instant at) {
    return memory.rateLimit(principal, limit, at);
  }

  @Override
  public Balance balance(String accountId) {
    return memory.balance(accountId);
  }

  /** Closes the journal and releases the directory; later calls fail (reserve fails closed). */
  @Override
  public void close() {
    switching.writeLock().lock();
    try {
      if (closed) {
        return;
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
      if (!compactor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
        log.warn("Ledger compaction still running at close; keeping the directory locked");
        return; // it may still be deleting files: another process must not start meanwhile
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      lock.release();
      lockFile.close();
    } catch (IOException e) {
      log.warn("Could not release the ledger lock: {}", e.toString());
    } finally {
      OPEN.remove(key);
    }
  }

  @Override
  public String toString() {
    return "FileBudgetLedger[" + dir + "]";
  }

  /** Appends each change to the current journal, under the ledger's locks. */
  private final class Appender implements InMemoryBudgetLedger.Journal {
    @Override
    public void reserved(
        String id, String principal, String account, long windowStart, Charge estimate) {
      try {
        append(LedgerRecords.reserve(id, principal, account, windowStart, estimate));
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

  private void compactIfDue() {
    if ((broken || journalBytes.get() > journalLimit) && compacting.compareAndSet(false, true)) {
      try {
        compactor.execute(this::compact);
      } catch (java.util.concurrent.RejectedExecutionException e) {
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
  void awaitCompaction() throws InterruptedException, java.util.concurrent.ExecutionException {
    do {
      compactor.submit(() -> {}).get();
    } while (compacting.get());
  }
}
