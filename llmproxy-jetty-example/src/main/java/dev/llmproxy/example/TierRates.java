package dev.llmproxy.example;

import dev.llmproxy.core.Tiers;
import java.util.Arrays;
import java.util.List;

/**
 * Parses the tier settings: {@code LLMPROXY_TIER_RATES} ({@code name=requests_per_minute,…} merged
 * over the defaults {@code free=20,hobby=60,pro=300,enterprise=1000}; a new name adds a tier; 0
 * means no rate limit) and the optional {@code LLMPROXY_TIER_MODELS} ({@code
 * tier=pattern|pattern;…}, e.g. {@code free=claude-haiku-*}), restricting a tier's models.
 */
final class TierRates {
  private static final String NAME = "[a-z0-9][a-z0-9_-]{0,31}";

  private TierRates() {}

  static Tiers parse(String rates, String models) {
    return parse(rates, models, null);
  }

  /** With {@code tokenRates}, {@code LLMPROXY_TIER_TOKEN_RATES}: {@code free=20000,pro=400000}. */
  static Tiers parse(String rates, String models, String tokenRates) {
    Tiers tiers = parseRatesAndModels(rates, models);
    if (tokenRates == null || tokenRates.isBlank()) {
      return tiers;
    }
    for (String entry : tokenRates.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int equals = trimmed.indexOf('=');
      String name = equals < 0 ? "" : trimmed.substring(0, equals).trim();
      if (tiers.tier(name).isEmpty()) {
        throw new IllegalArgumentException(
            "LLMPROXY_TIER_TOKEN_RATES: expected tier=tokens_per_minute for a configured tier,"
                + " got '"
                + trimmed
                + "'");
      }
      long rate;
      try {
        rate = Long.parseLong(trimmed.substring(equals + 1).trim());
      } catch (NumberFormatException e) {
        rate = -1;
      }
      if (rate < 0) {
        throw new IllegalArgumentException(
            "LLMPROXY_TIER_TOKEN_RATES: rate of '" + name + "' must be a whole number >= 0");
      }
      tiers = tiers.withTokenRate(name, rate);
    }
    return tiers;
  }

  private static Tiers parseRatesAndModels(String rates, String models) {
    Tiers tiers = Tiers.defaults();
    if (rates != null && !rates.isBlank()) {
      for (String entry : rates.split(",")) {
        String trimmed = entry.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        int equals = trimmed.indexOf('=');
        String name = equals < 0 ? "" : trimmed.substring(0, equals).trim();
        if (!name.matches(NAME)) {
          throw new IllegalArgumentException(
              "LLMPROXY_TIER_RATES: expected name=requests_per_minute, got '" + trimmed + "'");
        }
        int rate;
        try {
          rate = Integer.parseInt(trimmed.substring(equals + 1).trim());
        } catch (NumberFormatException e) {
          rate = -1;
        }
        if (rate < 0) {
          throw new IllegalArgumentException(
              "LLMPROXY_TIER_RATES: rate of '" + name + "' must be a whole number >= 0");
        }
        tiers = tiers.withRate(name, rate);
      }
    }
    if (models != null && !models.isBlank()) {
      for (String entry : models.split(";")) {
        String trimmed = entry.trim();
        int equals = trimmed.indexOf('=');
        String name = equals < 0 ? "" : trimmed.substring(0, equals).trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        if (tiers.tier(name).isEmpty()) {
          throw new IllegalArgumentException("LLMPROXY_TIER_MODELS: unknown tier '" + name + "'");
        }
        List<String> patterns =
            Arrays.stream(trimmed.substring(equals + 1).split("\\|"))
                .map(String::trim)
                .filter(p -> !p.isEmpty())
                .toList();
        tiers = tiers.withModels(name, patterns);
      }
    }
    return tiers;
  }
}
