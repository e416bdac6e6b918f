package dev.llmproxy.example;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Requests per minute by tier: the defaults {@code free=20,hobby=60,pro=300,enterprise=1000}, with
 * {@code LLMPROXY_TIER_RATES} merged over them (it may add tiers); 0 means no rate limit.
 */
record TierRates(Map<String, Integer> perMinute) {
  static final Map<String, Integer> DEFAULTS =
      orderedOf("free", 20, "hobby", 60, "pro", 300, "enterprise", 1000);

  TierRates {
    perMinute = Collections.unmodifiableMap(new LinkedHashMap<>(perMinute));
  }

  Set<String> names() {
    return perMinute.keySet();
  }

  /** Parses {@code name=rate,…} merged over the defaults; null or blank means the defaults. */
  static TierRates parse(String spec) {
    Map<String, Integer> rates = new LinkedHashMap<>(DEFAULTS);
    if (spec == null || spec.isBlank()) {
      return new TierRates(rates);
    }
    for (String entry : spec.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int equals = trimmed.indexOf('=');
      String name = equals < 0 ? "" : trimmed.substring(0, equals).trim();
      if (!name.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
        throw new IllegalArgumentException(
            "LLMPROXY_TIER_RATES: expected name=requests_per_minute, got '" + trimmed + "'");
      }
      try {
        int rate = Integer.parseInt(trimmed.substring(equals + 1).trim());
        if (rate < 0) {
          throw new NumberFormatException();
        }
        rates.put(name, rate);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "LLMPROXY_TIER_RATES: rate of '" + name + "' must be a whole number >= 0");
      }
    }
    return new TierRates(rates);
  }

  private static Map<String, Integer> orderedOf(Object... pairs) {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
