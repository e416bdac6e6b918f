package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.core.BatchingListener;
import dev.llmproxy.jdbc.JdbcAuditSink;
import dev.llmproxy.jdbc.JdbcSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Core's {@link BatchingListener} in front of llmproxy-jdbc's {@link JdbcAuditSink}, the pairing
 * the BatchingListener Javadoc shows: every event reaches the table, written off the exchange's
 * thread in batches. Here because this is the module that has both.
 */
class BatchedAuditTest {
  @Test
  void batchedEventsAreAllWrittenOffTheExchangeThread() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(
        "jdbc:h2:mem:llmproxy-" + UUID.randomUUID() + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1");
    try (HikariDataSource dataSource = new HikariDataSource(config)) {
      JdbcSchema.migrate(dataSource);
      JdbcAuditSink sink = new JdbcAuditSink(dataSource);
      try (BatchingListener listener = BatchingListener.of("audit", sink::write)) {
        for (int i = 0; i < 300; i++) {
          listener.onExchange(
              ProxyEvent.builder()
                  .timestamp(Instant.parse("2026-11-23T10:00:00Z"))
                  .method("POST")
                  .path("/v1/messages/" + i)
                  .status(200)
                  .outcome(Outcome.OK)
                  .build());
        }
        assertTrue(listener.flush(10, TimeUnit.SECONDS));
      }
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rows =
              s.executeQuery("SELECT COUNT(DISTINCT path), MIN(status) FROM llmproxy_audit")) {
        rows.next();
        assertEquals(300, rows.getInt(1));
        assertEquals(200, rows.getInt(2));
      }
    }
  }
}
