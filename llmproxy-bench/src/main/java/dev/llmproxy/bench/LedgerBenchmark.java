package dev.llmproxy.bench;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.core.ledger.FileBudgetLedger;
import dev.llmproxy.core.ledger.InMemoryBudgetLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reserve + commit, the two ledger calls of every proxied request, with request and spend budgets
 * and a rate limit active: all threads on one token (worst-case contention) and each thread on its
 * own token; on the {@link InMemoryBudgetLedger} and on the {@link FileBudgetLedger}, which adds a
 * journal append to each call.
 *
 * <p>Run: {@code java -jar llmproxy-bench/target/benchmarks.jar LedgerBenchmark -t 2}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class LedgerBenchmark {
  private static final RateLimit RATE = new RateLimit(1_000_000_000);

  private static final Charge ESTIMATE = new Charge(1, 687_500);
  private static final Charge ACTUAL = new Charge(1, 270_000);

  @Param({"memory", "file"})
  public String ledgerKind;

  private BudgetLedger ledger;
  private Path journalDir;
  private Principal shared;

  @Setup
  public void setUp() throws IOException {
    // A rate high enough never to deny: the benchmark measures the bookkeeping, not refusals.
    if (ledgerKind.equals("file")) {
      journalDir = Files.createTempDirectory("llmproxy-ledger-bench");
      ledger = FileBudgetLedger.open(journalDir);
    } else {
      ledger = new InMemoryBudgetLedger();
    }
    shared = principal("tok_shared");
  }

  @TearDown
  public void tearDown() throws IOException {
    if (ledger instanceof FileBudgetLedger file) {
      file.close();
      try (Stream<Path> files = Files.list(journalDir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(journalDir);
    }
  }

  static Principal principal(String tokenId) {
    return new Principal(
        "user-" + tokenId,
        Principal.Kind.USER,
        "bench",
        Set.of(),
        Map.of(Principal.TOKEN_ID, tokenId),
        new Limits(
            OptionalLong.of(Long.MAX_VALUE / 2),
            OptionalLong.of(Long.MAX_VALUE / 2),
            List.of(),
            Set.of()));
  }

  /** Each benchmark thread's own token. */
  @State(Scope.Thread)
  public static class OwnToken {
    private static final AtomicInteger NEXT = new AtomicInteger();
    Principal principal;

    @Setup
    public void setUp() {
      principal = principal("tok_" + NEXT.incrementAndGet());
    }
  }

  @Benchmark
  public Decision reserveCommitSharedToken() {
    Decision decision =
        ledger.reserve(new ReservationRequest(shared, ESTIMATE, RATE, Instant.now()));
    ledger.commit(((Decision.Granted) decision).reservation(), ACTUAL);
    return decision;
  }

  @Benchmark
  public Decision reserveCommitOwnToken(OwnToken token) {
    Decision decision =
        ledger.reserve(new ReservationRequest(token.principal, ESTIMATE, RATE, Instant.now()));
    ledger.commit(((Decision.Granted) decision).reservation(), ACTUAL);
    return decision;
  }
}
