package dev.llmproxy.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.api.TokenStore;
import dev.llmproxy.testing.CuttableLink;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A store on a real PostgreSQL behind a link the test cuts: while the database is unreachable,
 * callers are refused at once instead of each waiting out the pool's connection timeout, and the
 * first call after the database returns goes through. A healthy database whose pool is merely busy
 * is no outage: nobody is refused for what another caller waited for.
 */
class FailFastDataSourceTest {
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

  @Test
  void whileTheDatabaseIsAwayCallersFailAtOnceAndTheFirstCallAfterItReturnsSucceeds()
      throws Exception {
    String url = System.getenv(Databases.POSTGRES_URL);
    Assumptions.assumeTrue(
        url != null && !url.isBlank(), Databases.POSTGRES_URL + " is not set: skipped");
    Databases.postgres().close(); // migrated, empty tables
    URI target = URI.create(url.substring("jdbc:".length()));
    try (CuttableLink link = new CuttableLink(target.getHost(), target.getPort())) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url.replace(":" + target.getPort() + "/", ":" + link.port() + "/"));
      config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis()); // as the example sets it
      config.setMaximumPoolSize(4);
      try (HikariDataSource pool = new HikariDataSource(config)) {
        TokenStore tokens = new JdbcTokenStore(FailFastDataSource.wrap(pool));
        tokens.list(); // healthy

        link.cut();
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) { // one after another, as callers behind one cache key are
          assertThrows(StoreUnavailableException.class, tokens::list);
        }
        long elapsed = System.nanoTime() - start;
        // Without failing fast each of the ten would wait the 2 s timeout: 20 s.
        assertTrue(
            elapsed < CONNECTION_TIMEOUT.multipliedBy(2).toNanos(),
            "ten refusals took " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms");

        link.restore();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        boolean recovered = false;
        while (!recovered && System.nanoTime() < deadline) {
          try {
            tokens.list();
            recovered = true;
          } catch (StoreUnavailableException stillAway) {
            pool.getHikariPoolMXBean().softEvictConnections(); // bounded retry, no sleep
          }
        }
        assertTrue(recovered, "the store came back when the database did");
      }
    }
  }

  @Test
  void aPoolTimeoutOnAHealthyDatabaseDoesNotRefuseTheNextCaller() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:mem:busy-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    config.setMaximumPoolSize(1);
    config.setConnectionTimeout(250); // Hikari's least
    try (HikariDataSource pool = new HikariDataSource(config)) {
      FailFastDataSource database = FailFastDataSource.wrap(pool, Duration.ofMinutes(1));
      try (Connection busy = database.getConnection()) { // the pool's only connection, in use
        SQLTransientConnectionException timedOut =
            assertThrows(SQLTransientConnectionException.class, database::getConnection);
        assertTrue(
            timedOut.getMessage().contains("request timed out"),
            "the pool's own timeout, not a refusal: " + timedOut.getMessage());
      }
      // The database never failed: the next caller gets the freed connection at once, not a
      // minute of refusals.
      try (Connection next = database.getConnection()) {
        assertTrue(next.isValid(1));
      }
      assertEquals(1, pool.getHikariPoolMXBean().getTotalConnections());
    }
  }
}
