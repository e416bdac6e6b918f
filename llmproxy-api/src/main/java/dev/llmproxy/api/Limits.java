package dev.llmproxy.api;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a principal may use: request and spend budgets, and which models and providers. Empty lists
 * mean "any"; empty budgets mean "unlimited".
 *
 * @param maxRequests requests that may go upstream in total
 * @param maxSpendNanoUsd spend cap in nano-USD
 * @param models model-name patterns, {@code *} matching any run of characters
 * @param providers providers allowed
 * @param period when {@code maxRequests} and {@code maxSpendNanoUsd} start again from zero
 * @param teams accounts above the principal whose caps also apply, e.g. its team
 * @param maxTokensPerMinute input plus output tokens per minute this principal's account may use
 */
public record Limits(
    OptionalLong maxRequests,
    OptionalLong maxSpendNanoUsd,
    List<String> models,
    Set<ProviderId> providers,
    BudgetPeriod period,
    List<TeamBudget> teams,
    OptionalLong maxTokensPerMinute) {

  /** No limits at all. */
  public static final Limits NONE =
      new Limits(OptionalLong.empty(), OptionalLong.empty(), List.of(), Set.of());

  public Limits {
    Objects.requireNonNull(maxRequests, "maxRequests");
    Objects.requireNonNull(maxSpendNanoUsd, "maxSpendNanoUsd");
    models = List.copyOf(models);
    providers = Set.copyOf(providers);
    Objects.requireNonNull(period, "period");
    teams = List.copyOf(teams);
    Objects.requireNonNull(maxTokensPerMinute, "maxTokensPerMinute");
  }

  /** No token rate of its own. */
  public Limits(
      OptionalLong maxRequests,
      OptionalLong maxSpendNanoUsd,
      List<String> models,
      Set<ProviderId> providers,
      BudgetPeriod period,
      List<TeamBudget> teams) {
    this(maxRequests, maxSpendNanoUsd, models, providers, period, teams, OptionalLong.empty());
  }

  /** Lifetime caps and no teams. */
  public Limits(
      OptionalLong maxRequests,
      OptionalLong maxSpendNanoUsd,
      List<String> models,
      Set<ProviderId> providers) {
    this(maxRequests, maxSpendNanoUsd, models, providers, BudgetPeriod.LIFETIME, List.of());
  }

  /** Whether {@code provider} may be used. */
  public boolean allowsProvider(ProviderId provider) {
    return providers.isEmpty() || providers.contains(provider);
  }

  /** Whether {@code model} may be used; a request naming no model passes. */
  public boolean allowsModel(String model) {
    if (models.isEmpty() || model == null) {
      return true;
    }
    for (String pattern : models) {
      if (ModelPatterns.matches(pattern, model)) {
        return true;
      }
    }
    return false;
  }
}
