package dev.llmproxy.core.pools;

import java.util.Locale;

/** How a pool picks the member for a request, among the members that are not resting. */
public enum PoolStrategy {
  /** Each member in turn. */
  ROUND_ROBIN,
  /** The member with the fewest exchanges in flight (ties in turn). */
  LEAST_IN_FLIGHT,
  /** The first member, until it rests (rate limited or failing); then the next. */
  FILL_FIRST,
  /** Each member in proportion to its {@link PoolMember#weight()} (smooth weighted round-robin). */
  WEIGHTED;

  /**
   * The strategy named {@code name} as configuration writes it: {@code round-robin}, {@code
   * least-in-flight}, {@code fill-first} or {@code weighted}.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static PoolStrategy parse(String name) {
    for (PoolStrategy strategy : values()) {
      if (strategy.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return strategy;
      }
    }
    throw new IllegalArgumentException(
        "strategy must be round-robin, least-in-flight, fill-first or weighted, got '"
            + name
            + "'");
  }

  /** The name configuration uses, e.g. {@code fill-first}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
