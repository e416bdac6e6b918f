package dev.llmproxy.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * An issued proxy token as stored: its SHA-256 hash (never the token), owner, limits and state.
 *
 * @param id public identifier, safe to show and log
 * @param tokenHash lower-case hex SHA-256 of the token
 * @param user the user or service the token acts for
 * @param kind whether a person or a service holds it
 * @param tier rate-limit and model-access tier
 * @param createdAt when it was issued
 * @param expiresAt when it stops working, if ever
 * @param maxRequests how many requests it may send upstream, if limited
 * @param maxSpendNanoUsd how much it may spend, in nano-USD, if limited
 * @param models model-name patterns it may use ({@code *} wildcards); empty means any
 * @param providers providers it may use; empty means any
 * @param revoked whether it was revoked
 * @param scopes the endpoints it may call (see {@link Scopes})
 * @param period when its {@code maxRequests} and {@code maxSpendNanoUsd} start again from zero
 * @param team the team it belongs to, whose caps also apply, if any
 * @param maxTokensPerMinute its own input plus output tokens per minute, if limited
 */
public record TokenRecord(
    String id,
    String tokenHash,
    String user,
    Principal.Kind kind,
    String tier,
    Instant createdAt,
    Optional<Instant> expiresAt,
    OptionalLong maxRequests,
    OptionalLong maxSpendNanoUsd,
    List<String> models,
    Set<ProviderId> providers,
    boolean revoked,
    Set<String> scopes,
    BudgetPeriod period,
    Optional<String> team,
    OptionalLong maxTokensPerMinute) {

  public TokenRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tokenHash, "tokenHash");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(maxRequests, "maxRequests");
    Objects.requireNonNull(maxSpendNanoUsd, "maxSpendNanoUsd");
    models = List.copyOf(models);
    providers = Set.copyOf(providers);
    scopes = Set.copyOf(scopes);
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(maxTokensPerMinute, "maxTokensPerMinute");
  }

  /**
   * A record that may call every endpoint, with lifetime caps and no team, as records stored before
   * those existed.
   */
  public TokenRecord(
      String id,
      String tokenHash,
      String user,
      Principal.Kind kind,
      String tier,
      Instant createdAt,
      Optional<Instant> expiresAt,
      OptionalLong maxRequests,
      OptionalLong maxSpendNanoUsd,
      List<String> models,
      Set<ProviderId> providers,
      boolean revoked) {
    this(
        id,
        tokenHash,
        user,
        kind,
        tier,
        createdAt,
        expiresAt,
        maxRequests,
        maxSpendNanoUsd,
        models,
        providers,
        revoked,
        Set.of(Scopes.ALL),
        BudgetPeriod.LIFETIME,
        Optional.empty(),
        OptionalLong.empty());
  }

  /** Whether the token has expired at {@code now}. */
  public boolean isExpiredAt(Instant now) {
    return expiresAt.map(expiry -> !now.isBefore(expiry)).orElse(false);
  }

  /** This record, revoked. */
  public TokenRecord asRevoked() {
    return new TokenRecord(
        id,
        tokenHash,
        user,
        kind,
        tier,
        createdAt,
        expiresAt,
        maxRequests,
        maxSpendNanoUsd,
        models,
        providers,
        true,
        scopes,
        period,
        team,
        maxTokensPerMinute);
  }

  /** The hash is not secret, but there is no reason to print it either. */
  @Override
  public String toString() {
    return "TokenRecord[id="
        + id
        + ", user="
        + user
        + ", tier="
        + tier
        + ", revoked="
        + revoked
        + "]";
  }
}
