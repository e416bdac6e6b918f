package dev.llmproxy.jdbc;

import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.api.TokenStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.sql.DataSource;

/** Issued tokens (hashes only) in {@code llmproxy_tokens}. */
public final class JdbcTokenStore implements TokenStore {
  private static final String COLUMNS =
      "id, token_sha256, user_id, kind, tier, created_at, expires_at, max_requests,"
          + " max_spend_nano, models, providers, revoked, scopes, budget_period, team,"
          + " max_tokens_per_minute";

  private final DataSource dataSource;

  public JdbcTokenStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void insert(TokenRecord r) {
    Sql.run(
        dataSource,
        "insert token",
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO llmproxy_tokens ("
                      + COLUMNS
                      + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            insert.setString(1, r.id());
            insert.setString(2, r.tokenHash());
            insert.setString(3, r.user());
            insert.setString(4, r.kind().name().toLowerCase(Locale.ROOT));
            insert.setString(5, r.tier());
            insert.setLong(6, r.createdAt().toEpochMilli());
            setNullable(insert, 7, r.expiresAt().map(Instant::toEpochMilli));
            setNullable(insert, 8, r.maxRequests());
            setNullable(insert, 9, r.maxSpendNanoUsd());
            insert.setString(10, String.join("\n", r.models()));
            insert.setString(
                11,
                String.join("\n", r.providers().stream().map(ProviderId::value).sorted().toList()));
            insert.setBoolean(12, r.revoked());
            insert.setString(13, String.join("\n", new java.util.TreeSet<>(r.scopes())));
            insert.setString(14, r.period().isLifetime() ? null : r.period().toString());
            insert.setString(15, r.team().orElse(null));
            setNullable(insert, 16, r.maxTokensPerMinute());
            insert.executeUpdate();
          } catch (SQLException e) {
            if (Sql.isDuplicate(e)) {
              throw new IllegalStateException("duplicate token " + r.id());
            }
            throw e;
          }
          return null;
        });
  }

  @Override
  public Optional<TokenRecord> findByHash(String tokenHash) {
    return one("find token", "token_sha256", tokenHash);
  }

  @Override
  public Optional<TokenRecord> findById(String id) {
    return one("find token", "id", id);
  }

  @Override
  public List<TokenRecord> list() {
    return Sql.run(
        dataSource,
        "list tokens",
        connection -> {
          try (PreparedStatement select =
                  connection.prepareStatement(
                      "SELECT " + COLUMNS + " FROM llmproxy_tokens ORDER BY created_at, id");
              ResultSet rows = select.executeQuery()) {
            List<TokenRecord> all = new ArrayList<>();
            while (rows.next()) {
              all.add(read(rows));
            }
            return all;
          }
        });
  }

  @Override
  public boolean revoke(String id) {
    return Sql.run(
        dataSource,
        "revoke token",
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE llmproxy_tokens SET revoked = TRUE WHERE id = ?")) {
            update.setString(1, id);
            return update.executeUpdate() == 1;
          }
        });
  }

  private Optional<TokenRecord> one(String operation, String column, String value) {
    return Sql.run(
        dataSource,
        operation,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT " + COLUMNS + " FROM llmproxy_tokens WHERE " + column + " = ?")) {
            select.setString(1, value);
            try (ResultSet rows = select.executeQuery()) {
              return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
          }
        });
  }

  private static TokenRecord read(ResultSet rows) throws SQLException {
    long expires = rows.getLong("expires_at");
    Optional<Instant> expiresAt =
        rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expires));
    long maxRequests = rows.getLong("max_requests");
    OptionalLong maxRequestsValue =
        rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(maxRequests);
    long maxSpend = rows.getLong("max_spend_nano");
    OptionalLong maxSpendValue = rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(maxSpend);
    Set<ProviderId> providers = new HashSet<>();
    for (String provider : lines(rows.getString("providers"))) {
      providers.add(ProviderId.of(provider));
    }
    return new TokenRecord(
        rows.getString("id"),
        rows.getString("token_sha256").trim(),
        rows.getString("user_id"),
        Principal.Kind.valueOf(rows.getString("kind").toUpperCase(Locale.ROOT)),
        rows.getString("tier"),
        Instant.ofEpochMilli(rows.getLong("created_at")),
        expiresAt,
        maxRequestsValue,
        maxSpendValue,
        lines(rows.getString("models")),
        providers,
        rows.getBoolean("revoked"),
        Set.copyOf(lines(rows.getString("scopes"))),
        rows.getString("budget_period") == null
            ? BudgetPeriod.LIFETIME
            : BudgetPeriod.parse(rows.getString("budget_period")),
        Optional.ofNullable(rows.getString("team")),
        optionalLong(rows, "max_tokens_per_minute"));
  }

  private static OptionalLong optionalLong(ResultSet rows, String column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
  }

  private static List<String> lines(String value) {
    return value == null || value.isEmpty() ? List.of() : Arrays.asList(value.split("\n"));
  }

  private static void setNullable(PreparedStatement statement, int index, Optional<Long> value)
      throws SQLException {
    if (value.isPresent()) {
      statement.setLong(index, value.get());
    } else {
      statement.setNull(index, Types.BIGINT);
    }
  }

  private static void setNullable(PreparedStatement statement, int index, OptionalLong value)
      throws SQLException {
    if (value.isPresent()) {
      statement.setLong(index, value.getAsLong());
    } else {
      statement.setNull(index, Types.BIGINT);
    }
  }
}
