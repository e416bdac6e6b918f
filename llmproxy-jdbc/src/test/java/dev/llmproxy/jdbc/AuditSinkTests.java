package dev.llmproxy.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Usage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The audit sink writes one row per event, on H2 and PostgreSQL. */
class AuditSinkTests {
  abstract static class AuditSinkContract {
    HikariDataSource dataSource;

    abstract HikariDataSource database() throws Exception;

    @AfterEach
    void close() {
      if (dataSource != null) {
        dataSource.close();
      }
    }

    @Test
    void aBatchOfEventsIsWrittenWhole() throws Exception {
      dataSource = database();
      JdbcAuditSink sink = new JdbcAuditSink(dataSource);
      List<ProxyEvent> batch = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        batch.add(
            ProxyEvent.builder()
                .timestamp(Instant.parse("2026-11-23T10:00:00Z"))
                .method("POST")
                .path("/v1/messages/" + i)
                .status(200)
                .outcome(Outcome.OK)
                .build());
      }
      sink.write(batch); // what core's BatchingListener calls, off the exchange's thread
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rows =
              s.executeQuery("SELECT COUNT(DISTINCT path), MIN(status) FROM llmproxy_audit")) {
        rows.next();
        assertEquals(300, rows.getInt(1));
        assertEquals(200, rows.getInt(2));
      }
    }

    @Test
    void usageSumsTheCountedOutcomesByEachKeySinceATime() throws Exception {
      dataSource = database();
      JdbcAuditSink sink = new JdbcAuditSink(dataSource);
      dev.llmproxy.api.TeamBudget platform =
          new dev.llmproxy.api.TeamBudget(
              "platform",
              java.util.OptionalLong.empty(),
              java.util.OptionalLong.empty(),
              dev.llmproxy.api.BudgetPeriod.LIFETIME);
      List<ProxyEvent> events = new ArrayList<>();
      String[][] rows = { // user, token, outcome, second
        {"ann", "tok_a", "ok", "0"},
        {"ann", "tok_a", "client_cancelled", "1"},
        {"ben", "tok_b", "ok", "2"},
        {"ben", "tok_b", "rate_limited", "3"}, // refused: not usage
        {"ann", "tok_a", "ok", "9"}, // the only one at or after 10:00:05
      };
      for (String[] row : rows) {
        Principal who =
            new Principal(
                row[0],
                Principal.Kind.USER,
                "free",
                Set.of(),
                Map.of(Principal.TOKEN_ID, row[1]),
                new dev.llmproxy.api.Limits(
                    java.util.OptionalLong.empty(),
                    java.util.OptionalLong.empty(),
                    List.of(),
                    Set.of(),
                    dev.llmproxy.api.BudgetPeriod.LIFETIME,
                    List.of(platform)));
        events.add(
            ProxyEvent.builder()
                .timestamp(
                    Instant.parse("2026-11-23T10:00:00Z").plusSeconds(Long.parseLong(row[3])))
                .principal(who)
                .method("POST")
                .path("/v1/messages")
                .model("claude-haiku-4-5")
                .status(row[2].equals("rate_limited") ? 429 : 200)
                .outcome(
                    java.util.Arrays.stream(Outcome.values())
                        .filter(o -> o.wireName().equals(row[2]))
                        .findFirst()
                        .orElseThrow())
                .usage(new Usage(10, 20, 0, 0))
                .costNanoUsd(1_000)
                .build());
      }
      sink.write(events);
      Instant start = Instant.parse("2026-11-23T10:00:00Z");
      List<JdbcAuditSink.UsageRow> byUser = sink.usage(JdbcAuditSink.GroupBy.USER, start);
      assertEquals(
          List.of(
              new JdbcAuditSink.UsageRow("ann", 3, 30, 60, 3_000),
              new JdbcAuditSink.UsageRow("ben", 1, 10, 20, 1_000)),
          byUser,
          "dearest first; the refused request is not usage");
      assertEquals(
          List.of(new JdbcAuditSink.UsageRow("platform", 4, 40, 80, 4_000)),
          sink.usage(JdbcAuditSink.GroupBy.TEAM, start));
      assertEquals(
          List.of(new JdbcAuditSink.UsageRow("tok_a", 1, 10, 20, 1_000)),
          sink.usage(JdbcAuditSink.GroupBy.TOKEN, start.plusSeconds(5)));
    }

    @Test
    void theAnsweringPoolMemberAndTheTriesAreRecorded() throws Exception {
      dataSource = database();
      JdbcAuditSink sink = new JdbcAuditSink(dataSource);
      sink.onExchange(
          ProxyEvent.builder()
              .timestamp(Instant.parse("2026-11-23T10:00:00Z"))
              .method("POST")
              .path("/v1/messages")
              .status(200)
              .outcome(Outcome.OK)
              .member("org-b")
              .tries(3)
              .build());
      sink.onExchange(
          ProxyEvent.builder()
              .timestamp(Instant.parse("2026-11-23T10:00:01Z"))
              .method("POST")
              .path("/v1/messages")
              .status(401)
              .outcome(Outcome.AUTH_DENIED)
              .build());
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rows = s.executeQuery("SELECT member, tries FROM llmproxy_audit ORDER BY ts")) {
        assertTrue(rows.next());
        assertEquals("org-b", rows.getString(1));
        assertEquals(3, rows.getInt(2));
        assertTrue(rows.next());
        assertEquals(null, rows.getString(1));
        assertEquals(0, rows.getInt(2));
      }
    }

    @Test
    void oneRowPerEventWithTheContractFields() throws Exception {
      dataSource = database();
      JdbcAuditSink sink = new JdbcAuditSink(dataSource);
      Principal alice =
          new Principal(
              "alice",
              Principal.Kind.USER,
              "free",
              Set.of(),
              Map.of(Principal.TOKEN_ID, "tok_1"),
              dev.llmproxy.api.Limits.NONE);
      sink.onExchange(
          ProxyEvent.builder()
              .timestamp(Instant.parse("2026-11-23T10:00:00Z"))
              .principal(alice)
              .provider("anthropic")
              .method("POST")
              .path("/v1/messages")
              .model("claude-haiku-4-5")
              .status(200)
              .outcome(Outcome.OK)
              .latency(Duration.ofMillis(120))
              .timeToFirstByte(Duration.ofMillis(40))
              .usage(new Usage(20, 50, 3, 4))
              .costNanoUsd(270_000)
              .credentialSource("user_key")
              .overhead(Duration.ofNanos(1_234_567))
              .modelAlias("fast")
              .build());
      sink.onExchange(
          ProxyEvent.builder()
              .timestamp(Instant.parse("2026-11-23T10:00:01Z"))
              .method("GET")
              .path("/v1/models")
              .status(401)
              .outcome(Outcome.AUTH_DENIED)
              .build());
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rows =
              s.executeQuery(
                  "SELECT principal_id, token_id, model, status, outcome, ttfb_ms, input_tokens,"
                      + " cache_read_tokens, cost_nano, credential_source, overhead_micros,"
                      + " model_alias FROM llmproxy_audit"
                      + " ORDER BY ts")) {
        assertTrue(rows.next());
        assertEquals("alice", rows.getString(1));
        assertEquals("tok_1", rows.getString(2));
        assertEquals("claude-haiku-4-5", rows.getString(3));
        assertEquals(200, rows.getInt(4));
        assertEquals("ok", rows.getString(5));
        assertEquals(40, rows.getLong(6));
        assertEquals(20, rows.getLong(7));
        assertEquals(4, rows.getLong(8));
        assertEquals(270_000, rows.getLong(9));
        assertEquals("user_key", rows.getString(10));
        assertEquals(1_234, rows.getLong(11), "the proxy's own time, in microseconds");
        assertEquals("fast", rows.getString(12));
        assertTrue(rows.next());
        assertEquals(null, rows.getString(1));
        assertEquals("auth_denied", rows.getString(5));
        rows.getLong(6);
        assertTrue(rows.wasNull(), "no ttfb for an exchange that never reached the upstream");
        assertTrue(!rows.next());
      }
    }
  }

  @Nested
  class H2 extends AuditSinkContract {
    @Override
    HikariDataSource database() {
      return Databases.h2();
    }
  }

  @Nested
  class Postgres extends AuditSinkContract {
    @Override
    HikariDataSource database() throws Exception {
      HikariDataSource db = Databases.postgres();
      try (Connection c = db.getConnection();
          Statement s = c.createStatement()) {
        s.execute("DELETE FROM llmproxy_audit");
      }
      return db;
    }
  }
}
