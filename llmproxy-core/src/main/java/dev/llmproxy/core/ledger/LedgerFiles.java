package dev.llmproxy.core.ledger;

import dev.llmproxy.api.Balance;
import dev.llmproxy.core.PrivateFiles;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FileBudgetLedger}'s directory: generation {@code N} is {@code snapshot-N.jsonl} (the whole
 * state as of the first line of {@code journal-N.jsonl}) and the journal itself. Replay reads the
 * newest snapshot and every journal from its generation on.
 */
final class LedgerFiles {
  private static final Logger log = LoggerFactory.getLogger(FileBudgetLedger.class);
  static final Pattern FILE = Pattern.compile("(snapshot|journal)-(\\d{1,18})\\.jsonl");

  private LedgerFiles() {}

  /** Writes generation {@code n}'s snapshot durably (forced, renamed, directory forced). */
  static void writeSnapshot(Path dir, long n, InMemoryBudgetLedger.State state) throws IOException {
    PrivateFiles.write(dir.resolve(name("snapshot", n)), LedgerRecords.snapshot(state));
  }

  /** Writes generation {@code n}'s snapshot, opens its journal and deletes older files. */
  static FileOutputStream startGeneration(Path dir, long n, InMemoryBudgetLedger.State state)
      throws IOException {
    writeSnapshot(dir, n, state);
    deleteBefore(dir, n);
    return openJournal(dir, n);
  }

  static FileOutputStream openJournal(Path dir, long n) throws IOException {
    return PrivateFiles.appendStream(dir.resolve(name("journal", n)));
  }

  static String name(String kind, long generation) {
    return String.format("%s-%012d.jsonl", kind, generation);
  }

  /**
   * Replays the newest snapshot and every journal from its generation on into {@code memory};
   * returns the newest generation seen, or 0 for an empty directory.
   */
  static long replay(Path dir, InMemoryBudgetLedger memory) throws IOException {
    TreeMap<Long, Path> snapshots = new TreeMap<>();
    TreeMap<Long, Path> journals = new TreeMap<>();
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Matcher m = FILE.matcher(file.getFileName().toString());
          if (m.matches()) {
            (m.group(1).equals("snapshot") ? snapshots : journals)
                .put(Long.parseLong(m.group(2)), file);
          }
        }
      }
    }
    long from = 0;
    if (!snapshots.isEmpty()) {
      from = snapshots.lastKey();
      readLines(snapshots.lastEntry().getValue(), memory);
    }
    List<Path> tail = new ArrayList<>(journals.tailMap(from, true).values());
    for (Path journal : tail) {
      readLines(journal, memory);
    }
    long newest = from;
    if (!journals.isEmpty()) {
      newest = Math.max(newest, journals.lastKey());
    }
    return newest;
  }

  /** Applies every complete line of {@code file}; a final line without its newline is skipped. */
  static void readLines(Path file, InMemoryBudgetLedger memory) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      log.warn("Ignoring a partial last record in {} (a write cut short)", file);
    }
    String[] lines = new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      try {
        LedgerRecords.apply(lines[i], memory);
      } catch (IOException e) {
        throw new IOException("unreadable budget ledger record at " + file + " line " + (i + 1), e);
      }
    }
  }

  static void deleteBefore(Path dir, long generation) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher m = FILE.matcher(file.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(2)) < generation) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** See {@link FileBudgetLedger#importBalances}. */
  static void importBalances(Path dir, java.util.Map<String, Balance> balances) throws IOException {
    PrivateFiles.createDirectory(dir);
    try (var files = Files.list(dir)) {
      if (files.anyMatch(f -> LedgerFiles.FILE.matcher(f.getFileName().toString()).matches())) {
        throw new IOException("the budget ledger in " + dir + " already exists");
      }
    }
    InMemoryBudgetLedger memory = new InMemoryBudgetLedger();
    balances.forEach(
        (account, balance) ->
            memory.restoreAccount(
                account,
                balance.periodStart().toEpochMilli(),
                balance.usedRequests(),
                balance.spentNanoUsd()));
    LedgerFiles.writeSnapshot(dir, 1, memory.export());
  }

  /** See {@link FileBudgetLedger#balances}. */
  static java.util.Map<String, Balance> balances(Path dir) throws IOException {
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
}
