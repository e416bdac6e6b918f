package dev.llmproxy.core.tokens;

import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Scopes;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What to issue a token for: an owner and optional limits.
 *
 * @param user the user or service the token acts for
 * @param kind person or service; services may not manage per-user keys
 * @param tier rate-limit and model-access tier
 * @param expiresAt when the token stops working, if ever
 * @param maxRequests requests it may send upstream, if limited
 * @param maxSpendNanoUsd spend cap in nano-USD, if limited
 * @param models model-name patterns allowed ({@code *} wildcards); empty means any
 * @param providers providers allowed; empty means any
 * @param scopes endpoints allowed (see {@link Scopes}); {@link Scopes#ALL} for every endpoint
 * @param period when {@code maxRequests} and {@code maxSpendNanoUsd} start again from zero
 * @param team the team the token belongs to, whose caps also apply, if any
 * @param maxTokensPerMinute the token's own input plus output tokens per minute, if limited
 */
public record TokenSpec(
    String user,
    Principal.Kind kind,
    String tier,
    Optional<Instant> expiresAt,
    OptionalLong maxRequests,
    OptionalLong maxSpendNanoUsd,
    List<String> models,
    Set<ProviderId> providers,
    Set<String> scopes,
    BudgetPeriod period,
    Optional<String> team,
    OptionalLong maxTokensPerMinute) {

  public TokenSpec {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(maxRequests, "maxRequests");
    Objects.requireNonNull(maxSpendNanoUsd, "maxSpendNanoUsd");
    models = List.copyOf(models);
    providers = Set.copyOf(providers);
    scopes = Set.copyOf(scopes);
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(maxTokensPerMinute, "maxTokensPerMinute");
    if (team.isPresent() && !team.get().matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "a team name is 1 to 100 letters, digits, '.', '_' or '-'");
    }
    if (user.isBlank()) {
      throw new IllegalArgumentException("user is blank");
    }
    for (String scope : scopes) {
      if (!Scopes.KNOWN.contains(scope)) {
        throw new IllegalArgumentException("unknown scope " + scope + "; known: " + Scopes.KNOWN);
      }
    }
  }

  /** A spec that may call every endpoint, with lifetime caps and no team. */
  public TokenSpec(
      String user,
      Principal.Kind kind,
      String tier,
      Optional<Instant> expiresAt,
      OptionalLong maxRequests,
      OptionalLong maxSpendNanoUsd,
      List<String> models,
      Set<ProviderId> providers) {
    this(
        user,
        kind,
        tier,
        expiresAt,
        maxRequests,
        maxSpendNanoUsd,
        models,
        providers,
        Set.of(Scopes.ALL),
        BudgetPeriod.LIFETIME,
        Optional.empty(),
        OptionalLong.empty());
  }

  /** This spec with {@code scopes} instead. */
  public TokenSpec withScopes(Set<String> scopes) {
    return new TokenSpec(
        user,
        kind,
        tier,
        expiresAt,
        maxRequests,
        maxSpendNanoUsd,
        models,
        providers,
        scopes,
        period,
        team,
        maxTokensPerMinute);
  }

  /** A user token in {@code tier} without limits. */
  public static TokenSpec user(String user, String tier) {
    return new TokenSpec(
        user,
        Principal.Kind.USER,
        tier,
        Optional.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        List.of(),
        Set.of());
  }
}
