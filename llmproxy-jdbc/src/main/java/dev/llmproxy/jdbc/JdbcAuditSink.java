package dev.llmproxy.jdbc;

import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.ProxyListener;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Writes one row per exchange to {@code llmproxy_audit}: who, what, how it ended, how long, usage
 * and cost, the pool member that answered and the number of tries; no secrets, no bodies. Runs
 * after the client's response has ended; a failure is the listener's own (the engine logs it and
 * the exchange is unaffected). Registered as is, it writes one transaction per exchange on the
 * exchange's thread; under load, wrap it in a {@code dev.llmproxy.core.BatchingListener} with
 * {@link #write(List)} as the sink.
 */
public final class JdbcAuditSink implements ProxyListener {
  private final DataSource dataSource;

  public JdbcAuditSink(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void onExchange(ProxyEvent event) {
    write(List.of(event));
  }

  /**
   * Writes {@code events} in one transaction and one JDBC batch: the sink for a {@code
   * dev.llmproxy.core.BatchingListener}, which keeps the inserts off the exchange's thread.
   */
  public void write(List<ProxyEvent> events) {
    Sql.transaction(
        dataSource,
        "write audit rows",
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO llmproxy_audit (ts, principal_id, token_id, provider, method, path,"
                      + " model, status, outcome, latency_ms, ttfb_ms, input_tokens, output_tokens,"
                      + " cache_write_tokens, cache_read_tokens, cost_nano, credential_source,"
                      + " cost_estimated, overshoot, reclaimed, team, member, tries,"
                      + " overhead_micros, model_alias)"
                      + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (ProxyEvent e : events) {
              bind(insert, e);
              insert.addBatch();
            }
            insert.executeBatch();
          }
          return null;
        });
  }

  private static void bind(PreparedStatement insert, ProxyEvent e) throws SQLException {
    insert.setLong(1, e.timestamp().toEpochMilli());
    setText(insert, 2, e.principalId());
    setText(insert, 3, e.tokenId());
    setText(insert, 4, e.provider());
    insert.setString(5, e.method());
    insert.setString(6, e.path().length() > 2048 ? e.path().substring(0, 2048) : e.path());
    setText(insert, 7, e.model().map(m -> m.length() > 256 ? m.substring(0, 256) : m));
    insert.setInt(8, e.status());
    insert.setString(9, e.outcome().wireName());
    insert.setLong(10, e.latency().toMillis());
    if (e.timeToFirstByte().isPresent()) {
      insert.setLong(11, e.timeToFirstByte().get().toMillis());
    } else {
      insert.setNull(11, Types.BIGINT);
    }
    insert.setLong(12, e.usage().inputTokens());
    insert.setLong(13, e.usage().outputTokens());
    insert.setLong(14, e.usage().cacheCreationInputTokens());
    insert.setLong(15, e.usage().cacheReadInputTokens());
    insert.setLong(16, e.costNanoUsd());
    setText(insert, 17, e.credentialSource());
    insert.setBoolean(18, e.costEstimated());
    insert.setBoolean(19, e.overshoot());
    insert.setBoolean(20, e.reclaimed());
    setText(insert, 21, e.team());
    setText(insert, 22, e.member());
    insert.setInt(23, e.tries());
    insert.setLong(24, e.overhead().toNanos() / 1_000);
    setText(insert, 25, e.modelAlias());
  }

  /** What usage can be grouped by, and the column each reads. */
  public enum GroupBy {
    USER("principal_id"),
    TOKEN("token_id"),
    MODEL("model"),
    TEAM("team");

    private final String column;

    GroupBy(String column) {
      this.column = column;
    }

    /** {@code user}, {@code token}, {@code model} or {@code team}. */
    public static GroupBy parse(String name) {
      for (GroupBy by : values()) {
        if (by.name().equalsIgnoreCase(name)) {
          return by;
        }
      }
      throw new IllegalArgumentException("group_by must be user, token, model or team");
    }
  }

  /**
   * The usage of one group: exchanges that went past the proxy's checks, the tokens the upstream
   * reported, and their cost.
   *
   * @param key the user, token, model or team; {@code null} for exchanges without one
   */
  public record UsageRow(
      String key, long requests, long inputTokens, long outputTokens, long costNanoUsd) {}

  /**
   * Sums the audit rows of every instance since {@code since}, by {@code by}, dearest first: the
   * exchanges whose outcome is {@code ok}, {@code upstream_error} or {@code client_cancelled}.
   */
  public List<UsageRow> usage(GroupBy by, java.time.Instant since) {
    return Sql.run(
        dataSource,
        "read usage",
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT "
                      + by.column
                      + ", COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_nano)"
                      + " FROM llmproxy_audit WHERE ts >= ?"
                      + " AND outcome IN ('ok', 'upstream_error', 'client_cancelled')"
                      + " GROUP BY "
                      + by.column
                      + " ORDER BY SUM(cost_nano) DESC")) {
            select.setLong(1, since.toEpochMilli());
            List<UsageRow> rows = new java.util.ArrayList<>();
            try (java.sql.ResultSet result = select.executeQuery()) {
              while (result.next()) {
                rows.add(
                    new UsageRow(
                        result.getString(1),
                        result.getLong(2),
                        result.getLong(3),
                        result.getLong(4),
                        result.getLong(5)));
              }
            }
            return rows;
          }
        });
  }

  private static void setText(PreparedStatement statement, int index, Optional<String> value)
      throws SQLException {
    if (value.isPresent()) {
      statement.setString(index, value.get());
    } else {
      statement.setNull(index, Types.VARCHAR);
    }
  }
}
