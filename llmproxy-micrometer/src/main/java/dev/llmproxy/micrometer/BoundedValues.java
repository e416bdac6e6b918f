package dev.llmproxy.micrometer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a tag's values bounded: the first {@code max} distinct values pass, later ones become
 * {@code other}; an absent value is {@code none}, and one longer than 128 characters {@code other}.
 */
final class BoundedValues {
  static final int MAX_LENGTH = 128;

  private final int max;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  BoundedValues(int max) {
    this.max = max;
  }

  String of(String value) {
    if (value == null || value.isEmpty()) {
      return "none";
    }
    if (seen.contains(value)) {
      return value;
    }
    if (value.length() > MAX_LENGTH) {
      return LlmProxyMetrics.OTHER;
    }
    synchronized (seen) {
      if (seen.size() < max) {
        seen.add(value);
        return value;
      }
    }
    return LlmProxyMetrics.OTHER;
  }
}
