package dev.llmproxy.core.internal.metering;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Usage;

/**
 * The latest value of each usage field, as the upstream reports them. Anthropic's {@code
 * message_delta.usage} values are cumulative: a later report replaces an earlier one, never adds to
 * it (adding them is the double-counting bug peers shipped).
 */
final class UsageCounts {
  long input;
  long output;
  long cacheCreation;
  long cacheRead;

  /** Takes every count present in an Anthropic {@code usage} object. */
  void takeAnthropic(JsonNode usage) {
    input = take(usage, "input_tokens", input);
    output = take(usage, "output_tokens", output);
    cacheCreation = take(usage, "cache_creation_input_tokens", cacheCreation);
    cacheRead = take(usage, "cache_read_input_tokens", cacheRead);
  }

  static long take(JsonNode usage, String field, long current) {
    JsonNode value = usage.get(field);
    return value != null && value.canConvertToLong() && value.asLong() >= 0
        ? value.asLong()
        : current;
  }

  Usage toUsage() {
    return new Usage(input, output, cacheCreation, cacheRead);
  }
}
