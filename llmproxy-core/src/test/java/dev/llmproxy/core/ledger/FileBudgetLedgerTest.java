package dev.llmproxy.core.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.ReclaimedHold;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBudgetLedgerTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:10Z"));

  /** Requests per minute of the tier every principal here is on. */
  private int rate = 5;

  @TempDir Path dir;

  private static Principal token(String id, OptionalLong maxRequests) {
    return new Principal(
        "alice",
        Principal.Kind.USER,
        "tiny",
        Set.of(),
        Map.of(Principal.TOKEN_ID, id),
        new Limits(maxRequests, OptionalLong.empty(), List.of(), Set.of()));
  }

  /** Opens with a small journal limit; requests from then on have no rate limit. */
  private FileBudgetLedger openUnlimited(Path dir, long journalLimit) throws IOException {
    rate = 0;
    return FileBudgetLedger.open(dir, journalLimit);
  }

  private Decision reserve(BudgetLedger ledger, Principal principal, Charge estimate) {
    return ledger.reserve(
        new ReservationRequest(principal, estimate, new RateLimit(rate), clock.instant()));
  }

  private RateLimitState rateLimit(BudgetLedger ledger, Principal principal) {
    return ledger.rateLimit(principal, new RateLimit(rate), clock.instant());
  }

  private static Decision.Granted granted(Decision decision) {
    return assertInstanceOf(Decision.Granted.class, decision);
  }

  @Test
  void countersAndTheRateWindowSurviveAReopen() throws IOException {
    Principal alice = token("tok_1", OptionalLong.of(10));
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      ledger.commit(
          granted(reserve(ledger, alice, new Charge(1, 500))).reservation(), new Charge(1, 120));
      ledger.refund(granted(reserve(ledger, alice, new Charge(1, 500))).reservation());
    }
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      assertEquals(new Balance(1, 120), ledger.balance("tok_1"));
      assertEquals(3, rateLimit(ledger, alice).remaining(), "two of five slots used this minute");
    }
  }

  @Test
  void anUncleanStopLeavesOpenReservationsForTheFirstHeartbeatToBookAtTheirEstimate()
      throws IOException {
    Principal alice = token("tok_1", OptionalLong.of(10));
    Path crashed = dir.resolve("crashed");
    String openId;
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir.resolve("live"))) {
      ledger.commit(
          granted(reserve(ledger, alice, new Charge(1, 500))).reservation(), new Charge(1, 100));
      openId = granted(reserve(ledger, alice, new Charge(1, 700))).reservation().id();
      copyFiles(dir.resolve("live"), crashed); // what a SIGKILL leaves: the page cache's files
    }
    try (FileBudgetLedger ledger = FileBudgetLedger.open(crashed)) {
      assertEquals(new Balance(2, 100), ledger.balance("tok_1"), "held, not yet booked");
    } // stopped again before its first heartbeat: the hold must still be there
    try (FileBudgetLedger ledger = FileBudgetLedger.open(crashed)) {
      List<ReclaimedHold> reclaimed = ledger.heartbeat(clock.instant());
      assertEquals(List.of(openId), reclaimed.stream().map(ReclaimedHold::reservationId).toList());
      assertEquals(new Balance(2, 800), ledger.balance("tok_1"), "the open hold booked whole");
      String next = granted(reserve(ledger, alice, Charge.oneRequest())).reservation().id();
      assertTrue(Long.parseLong(next) > Long.parseLong(openId), next + " reuses an old id");
    }
  }

  @Test
  void aWriteCutShortIsIgnoredButACorruptRecordStopsTheOpen() throws IOException {
    Principal alice = token("tok_1", OptionalLong.empty());
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      ledger.commit(
          granted(reserve(ledger, alice, new Charge(1, 5))).reservation(), new Charge(1, 5));
    }
    Path journal = newest(dir, "journal-");
    Files.writeString(
        journal, "{\"op\":\"reserve\",\"id\":\"9\",\"prin", StandardOpenOption.APPEND);
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      assertEquals(new Balance(1, 5), ledger.balance("tok_1"));
    }

    Path next = newest(dir, "journal-");
    Files.writeString(next, "{\"op\":\"teleport\"}\n{\"op\":\"refund\",\"id\":\"1\"}\n");
    IOException error = assertThrows(IOException.class, () -> FileBudgetLedger.open(dir));
    assertTrue(error.getMessage().contains(next.getFileName() + " line 1"), error.getMessage());
  }

  @Test
  void aLongJournalIsCompactedAndReplaysToTheSameState() throws Exception {
    Principal alice = token("tok_1", OptionalLong.empty());
    Principal bob = token("tok_2", OptionalLong.empty());
    try (FileBudgetLedger ledger = openUnlimited(dir, 2048)) {
      granted(reserve(ledger, bob, new Charge(1, 1_000))); // left open across the compactions
      for (int round = 0;
          round < 3;
          round++) { // each round outgrows the limit: at least one compaction
        for (int i = round * 100; i < (round + 1) * 100; i++) {
          Principal who = i % 2 == 0 ? alice : bob;
          ledger.commit(
              granted(reserve(ledger, who, new Charge(1, 1_000))).reservation(), new Charge(1, i));
        }
        ledger.awaitCompaction();
      }
      assertEquals(new Balance(150, 22_350), FileBudgetLedger.balances(dir).get("tok_1"));
    }
    try (Stream<Path> files = Files.list(dir)) {
      long journals = files.filter(f -> f.getFileName().toString().startsWith("journal-")).count();
      assertEquals(1, journals, "compaction keeps only the newest journal");
    }
    String journal = newest(dir, "journal-").getFileName().toString();
    assertTrue(journal.compareTo("journal-000000000003.jsonl") > 0, "not compacted: " + journal);
    assertTrue(
        Files.exists(dir.resolve(journal.replace("journal-", "snapshot-"))),
        "each journal starts from its snapshot");
    for (Path file : List.of(newest(dir, "snapshot-"), newest(dir, "journal-"))) {
      for (String line : Files.readAllLines(file)) {
        assertTrue(line.startsWith("{\"op\":\""), file.getFileName() + ": " + line);
      }
    }
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      assertEquals(1, ledger.heartbeat(clock.instant()).size(), "bob's open hold");
      assertEquals(new Balance(150, 22_350), ledger.balance("tok_1"));
      assertEquals(new Balance(151, 22_500 + 1_000), ledger.balance("tok_2"));
    }
  }

  @Test
  void theDirectoryHasOneWriterAndReadersSeeItLive() throws IOException {
    Principal alice = token("tok_1", OptionalLong.empty());
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      IOException locked = assertThrows(IOException.class, () -> FileBudgetLedger.open(dir));
      assertTrue(locked.getMessage().contains("open in another ledger"), locked.getMessage());
      granted(reserve(ledger, alice, new Charge(1, 40)));
      assertEquals(new Balance(1, 0), FileBudgetLedger.balances(dir).get("tok_1"));
    }
  }

  @Test
  void concurrentRequestsOfOneAccountReplayToTheSameState() throws Exception {
    rate = 100_000;
    Principal alice = token("tok_1", OptionalLong.of(1_000));
    int threads = 4;
    int attempts = 400; // 1,600 attempts against a cap of 1,000 requests, a third refunded
    AtomicInteger grants = new AtomicInteger();
    AtomicInteger commits = new AtomicInteger();
    AtomicLong spent = new AtomicLong();
    Balance live;
    long liveRemaining;
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          workers.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < attempts; i++) {
                      if (reserve(ledger, alice, new Charge(1, 50))
                          instanceof Decision.Granted granted) {
                        grants.incrementAndGet();
                        if (i % 3 == 0) {
                          ledger.refund(granted.reservation());
                        } else {
                          ledger.commit(granted.reservation(), new Charge(1, i % 50));
                          commits.incrementAndGet();
                          spent.addAndGet(i % 50);
                        }
                      }
                    }
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> worker : workers) {
          worker.get();
        }
      } finally {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      }
      live = ledger.balance("tok_1");
      liveRemaining = rateLimit(ledger, alice).remaining();
    }
    assertTrue(grants.get() > 1_000, "refunds freed requests for later grants: " + grants);
    assertEquals(new Balance(commits.get(), spent.get()), live, "every commit booked once");
    assertTrue(live.usedRequests() <= 1_000, "the cap held: " + live);
    assertEquals(100_000 - grants.get(), liveRemaining, "one slot per grant, refunds included");
    try (FileBudgetLedger reopened = FileBudgetLedger.open(dir)) {
      assertEquals(live, reopened.balance("tok_1"), "the journal replays to the live balance");
      assertEquals(liveRemaining, rateLimit(reopened, alice).remaining());
    }
  }

  @Test
  void aJournalThatCannotBeWrittenRefusesTheReservation() throws IOException {
    Principal alice = token("tok_1", OptionalLong.empty());
    FileBudgetLedger ledger = FileBudgetLedger.open(dir);
    ledger.close();
    assertThrows(RuntimeException.class, () -> reserve(ledger, alice, Charge.oneRequest()));
    assertEquals(Balance.ZERO, ledger.balance("tok_1"), "nothing held for a refused reservation");
    assertEquals(5, rateLimit(ledger, alice).remaining(), "no rate slot taken either");
  }

  @Test
  void anInterruptedCallerDoesNotCloseTheJournalForEveryoneElse() throws Exception {
    Principal alice = token("tok_1", OptionalLong.empty());
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      Thread.currentThread().interrupt(); // e.g. a container cancelling one request
      try {
        granted(reserve(ledger, alice, new Charge(1, 10)));
      } finally {
        Thread.interrupted();
      }
      java.util.concurrent.FutureTask<Decision> other =
          new java.util.concurrent.FutureTask<>(() -> reserve(ledger, alice, new Charge(1, 10)));
      new Thread(other).start();
      granted(other.get());
    }
    try (FileBudgetLedger reopened = FileBudgetLedger.open(dir)) {
      assertEquals(2, reopened.heartbeat(clock.instant()).size(), "both journaled");
      assertEquals(new Balance(2, 20), reopened.balance("tok_1"));
    }
  }

  @Test
  void aRefusedSecondOpenLeavesTheFirstLedgerLockedAndWorking() throws IOException {
    Principal alice = token("tok_1", OptionalLong.empty());
    FileBudgetLedger first = FileBudgetLedger.open(dir);
    for (int attempt = 0; attempt < 2; attempt++) {
      assertThrows(IOException.class, () -> FileBudgetLedger.open(dir));
    }
    granted(reserve(first, alice, Charge.oneRequest()));
    first.close();
    first.close(); // idempotent
    try (FileBudgetLedger again = FileBudgetLedger.open(dir)) {
      assertEquals(new Balance(1, 0), again.balance("tok_1"));
    }
  }

  @Test
  void importedBalancesStartANewLedgerOnly() throws IOException {
    FileBudgetLedger.importBalances(
        dir, Map.of("tok_1", new Balance(7, 900), "tok_2", new Balance(1, 5)));
    IOException twice =
        assertThrows(
            IOException.class,
            () -> FileBudgetLedger.importBalances(dir, Map.of("tok_1", Balance.ZERO)));
    assertTrue(twice.getMessage().contains("already exists"), twice.getMessage());
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      assertEquals(new Balance(7, 900), ledger.balance("tok_1"));
      assertEquals(new Balance(1, 5), ledger.balance("tok_2"));
      Principal capped = token("tok_1", OptionalLong.of(7));
      assertInstanceOf(Decision.Denied.class, reserve(ledger, capped, Charge.oneRequest()));
    }
  }

  @Test
  void filesAreOwnerOnly() throws IOException {
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir)) {
      granted(reserve(ledger, token("tok_1", OptionalLong.empty()), Charge.oneRequest()));
    }
    for (String prefix : List.of("journal-", "snapshot-")) {
      Path file = newest(dir, prefix);
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(file)));
    }
  }

  private static Path newest(Path dir, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(prefix))
          .max(Path::compareTo)
          .orElseThrow();
    }
  }

  private static void copyFiles(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (file.getFileName().toString().endsWith(".jsonl")) {
          Files.write(to.resolve(file.getFileName()), Files.readAllBytes(file));
        }
      }
    }
  }
}
