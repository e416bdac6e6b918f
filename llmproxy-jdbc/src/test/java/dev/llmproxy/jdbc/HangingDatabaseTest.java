package dev.llmproxy.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.testing.CuttableLink;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stops answering (hung, or a network dropping packets) while the pool holds open
 * connections to it: every store call (token, key, ledger) fails within its bound instead of
 * waiting forever, and the stores work again when the database does.
 */
class HangingDatabaseTest {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);

  /** The call timeout, plus the pool's connection timeout for a call that needs a new one. */
  private static final Duration BOUND = Duration.ofSeconds(5);

  @Test
  void whileTheDatabaseHangsEveryStoreCallFailsWithinItsBoundAndTheStoresRecover()
      throws Exception {
    String url = System.getenv(Databases.POSTGRES_URL);
    Assumptions.assumeTrue(
        url != null && !url.isBlank(), Databases.POSTGRES_URL + " is not set: skipped");
    Databases.postgres().close(); // migrated, empty tables
    URI target = URI.create(url.substring("jdbc:".length()));
    ExecutorService callers = Executors.newFixedThreadPool(12);
    try (CuttableLink link = new CuttableLink(target.getHost(), target.getPort())) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url.replace(":" + target.getPort() + "/", ":" + link.port() + "/"));
      config.setConnectionTimeout(2_000); // as the example sets it
      config.setMaximumPoolSize(4);
      try (HikariDataSource pool = new HikariDataSource(config)) {
        FailFastDataSource database =
            FailFastDataSource.wrap(pool, Duration.ofSeconds(1), CALL_TIMEOUT);
        JdbcTokenStore tokens = new JdbcTokenStore(database);
        JdbcEncryptedKeyStore keys = new JdbcEncryptedKeyStore(database);
        JdbcBudgetLedger ledger = new JdbcBudgetLedger(database);
        Principal alice = Principal.user("alice", "free");
        List<Callable<Object>> calls =
            List.of(
                tokens::list,
                () -> tokens.findByHash("no-such-hash"),
                () -> keys.find("alice", ProviderId.ANTHROPIC),
                () ->
                    ledger.reserve(
                        new ReservationRequest(
                            alice, new Charge(1, 1_000), RateLimit.NONE, Instant.now())));
        for (Callable<Object> call : calls) {
          call.call(); // healthy: the pool now holds connections, fresh from use
        }

        link.stall();
        List<Future<Object>> stalled = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          stalled.add(callers.submit(calls.get(i % calls.size())));
        }
        long start = System.nanoTime();
        for (Future<Object> call : stalled) {
          long left = BOUND.toNanos() - (System.nanoTime() - start);
          ExecutionException failed =
              org.junit.jupiter.api.Assertions.assertThrows(
                  ExecutionException.class,
                  () -> call.get(Math.max(0, left), TimeUnit.NANOSECONDS),
                  "a call on the hung database did not fail");
          assertEquals(StoreUnavailableException.class, failed.getCause().getClass());
        }

        link.resume();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        boolean recovered = false;
        while (!recovered && System.nanoTime() < deadline) {
          try {
            for (Callable<Object> call : calls) {
              call.call();
            }
            recovered = true;
          } catch (StoreUnavailableException stillAway) {
            pool.getHikariPoolMXBean().softEvictConnections(); // bounded retry, no sleep
          }
        }
        assertTrue(recovered, "the stores came back when the database did");
      }
    } finally {
      callers.shutdownNow();
      assertTrue(callers.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS), "callers stuck");
    }
  }
}
