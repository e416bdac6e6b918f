package dev.llmproxy.core;

import dev.llmproxy.api.ModelPatterns;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The tiers principals belong to: each with a request rate (per minute; 0 = no rate limit) and
 * optionally the models it may use. Defaults: {@code free} 20, {@code hobby} 60, {@code pro} 300,
 * {@code enterprise} 1000, every model allowed.
 */
public final class Tiers {
  /**
   * One tier.
   *
   * @param requestsPerMinute requests per minute; 0 means no rate limit
   * @param models model patterns allowed; empty means any
   * @param tokensPerMinute input plus output tokens per minute for each token (account) of the
   *     tier; 0 means no token rate limit
   */
  public record Tier(
      String name, int requestsPerMinute, List<String> models, long tokensPerMinute) {
    public Tier {
      Objects.requireNonNull(name, "name");
      models = List.copyOf(models);
      if (requestsPerMinute < 0 || tokensPerMinute < 0) {
        throw new IllegalArgumentException("negative rate for tier " + name);
      }
    }

    /** A tier with no token rate limit. */
    public Tier(String name, int requestsPerMinute, List<String> models) {
      this(name, requestsPerMinute, models, 0);
    }

    /** Whether this tier may use {@code model}; a request naming no model passes. */
    public boolean allowsModel(String model) {
      return models.isEmpty()
          || model == null
          || models.stream().anyMatch(pattern -> ModelPatterns.matches(pattern, model));
    }
  }

  private final Map<String, Tier> tiers;

  private Tiers(Map<String, Tier> tiers) {
    this.tiers = Map.copyOf(tiers);
  }

  /** The default tiers. */
  public static Tiers defaults() {
    Map<String, Tier> tiers = new LinkedHashMap<>();
    tiers.put("free", new Tier("free", 20, List.of()));
    tiers.put("hobby", new Tier("hobby", 60, List.of()));
    tiers.put("pro", new Tier("pro", 300, List.of()));
    tiers.put("enterprise", new Tier("enterprise", 1000, List.of()));
    return new Tiers(tiers);
  }

  /** These tiers with {@code name} at {@code requestsPerMinute}, added or replaced. */
  public Tiers withRate(String name, int requestsPerMinute) {
    List<String> models = tier(name).map(Tier::models).orElse(List.of());
    long tokens = tier(name).map(Tier::tokensPerMinute).orElse(0L);
    return with(new Tier(name, requestsPerMinute, models, tokens));
  }

  /**
   * These tiers with each token (account) of {@code name} limited to {@code tokensPerMinute} input
   * plus output tokens per minute; 0 removes the limit.
   */
  public Tiers withTokenRate(String name, long tokensPerMinute) {
    Tier existing =
        tier(name).orElseThrow(() -> new IllegalArgumentException("unknown tier " + name));
    return with(new Tier(name, existing.requestsPerMinute(), existing.models(), tokensPerMinute));
  }

  /** These tiers with {@code name} limited to {@code models} (patterns). */
  public Tiers withModels(String name, List<String> models) {
    Tier existing =
        tier(name).orElseThrow(() -> new IllegalArgumentException("unknown tier " + name));
    return with(new Tier(name, existing.requestsPerMinute(), models, existing.tokensPerMinute()));
  }

  private Tiers with(Tier tier) {
    Map<String, Tier> copy = new LinkedHashMap<>(tiers);
    copy.put(tier.name(), tier);
    return new Tiers(copy);
  }

  /** The tier called {@code name}. */
  public Optional<Tier> tier(String name) {
    return Optional.ofNullable(tiers.get(name));
  }

  /** Every tier name. */
  public Set<String> names() {
    return tiers.keySet();
  }

  @Override
  public String toString() {
    return "Tiers" + tiers.values();
  }
}
