package dev.llmproxy.core.ledger;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.ReclaimedHold;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.core.PrivateFiles;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * every write, so a power loss can lose the last moments. After an unclean stop, the reservations
 * that were never settled are reclaimed by the first {@link #heartbeat}: booked at their worst-case
 * estimate (they may have reached the upstream, and a ledger must never count less than the
 * upstream received) and returned, so the engine records each as an estimated exchange.
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

  /** Directories with an open ledger in this JVM: a file lock is per process, not per ledger. */
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final LedgerJournal journal;
  private List<HoldRecord> stale; // left open by the last process; reclaimed by the first heartbeat
  private boolean closed;

  private FileBudgetLedger(
      Path dir,
      Path key,
      InMemoryBudgetLedger memory,
      FileChannel lockFile,
      FileLock lock,
      LedgerJournal journal,
      List<HoldRecord> stale) {
    this.dir = dir;
    this.stale = stale;
    this.key = key;
    this.memory = memory;
    this.lockFile = lockFile;
    this.lock = lock;
    this.journal = journal;
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
      List<HoldRecord> stale = memory.openHolds(); // nobody can settle them now
      long generation = last + 1;
      FileOutputStream journal = LedgerFiles.startGeneration(dir, generation, memory.export());
      return new FileBudgetLedger(
          dir,
          key,
          memory,
          lockFile,
          lock,
          new LedgerJournal(dir, memory, generation, journal, journalLimit),
          stale);
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
    LedgerFiles.importBalances(dir, balances);
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
    return LedgerFiles.balances(dir);
  }

  @Override
  public Decision reserve(ReservationRequest request) {
    try {
      return journal.change(() -> memory.reserve(request));
    } finally {
      journal.retryIfBroken();
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
    journal.change(() -> memory.settle(id, actual));
    journal.compactIfDue();
  }

  /**
   * Reclaims the holds the last process left open (it held the directory's lock, so it is gone):
   * the first call books them at their estimates and returns them; later calls return nothing, as
   * this process settles its own holds.
   */
  @Override
  public synchronized List<ReclaimedHold> heartbeat(Instant now) {
    if (stale.isEmpty()) {
      return List.of();
    }
    List<ReclaimedHold> reclaimed = new ArrayList<>();
    for (HoldRecord hold : stale) {
      boolean booked = journal.change(() -> memory.settle(hold.id(), hold.estimate()));
      if (booked) {
        reclaimed.add(hold.reclaimed());
      }
    }
    stale = List.of();
    journal.compactIfDue();
    log.warn(
        "Booked {} reservation(s) left open by an unclean stop at their worst-case estimates",
        reclaimed.size());
    return reclaimed;
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
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!journal.close()) {
      return; // a compaction may still be deleting files: another process must not start meanwhile
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

  /** Waits until no compaction is running or queued; for tests, with no appends meanwhile. */
  void awaitCompaction() throws InterruptedException, java.util.concurrent.ExecutionException {
    journal.awaitCompaction();
  }

  @Override
  public String toString() {
    return "FileBudgetLedger[" + dir + "]";
  }
}
