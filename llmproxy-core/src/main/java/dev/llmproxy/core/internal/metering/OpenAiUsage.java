package dev.llmproxy.core.internal.metering;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Usage;

/**
 * OpenAI's usage fields, in either API's naming: Chat Completions and Embeddings report {@code
 * prompt_tokens}/{@code completion_tokens}, the Responses API {@code input_tokens}/{@code
 * output_tokens}. Both count cached tokens <em>inside</em> the prompt count ({@code
 * *_tokens_details.cached_tokens}), so {@link #toUsage()} subtracts them: a {@link Usage} never
 * prices a cached token twice.
 */
public final class OpenAiUsage {
  long prompt;
  long completion;
  long cached;

  /** Takes a field as {@link JsonUsageMeter} reports it (dotted path below {@code usage}). */
  void take(String path, long value) {
    switch (path) {
      case "prompt_tokens", "input_tokens" -> prompt = value;
      case "completion_tokens", "output_tokens" -> completion = value;
      case "prompt_tokens_details.cached_tokens", "input_tokens_details.cached_tokens" ->
          cached = value;
      default -> {}
    }
  }

  /** Takes every field of a {@code usage} object. */
  void take(JsonNode usage) {
    prompt =
        UsageCounts.take(usage, "prompt_tokens", UsageCounts.take(usage, "input_tokens", prompt));
    completion =
        UsageCounts.take(
            usage, "completion_tokens", UsageCounts.take(usage, "output_tokens", completion));
    JsonNode details =
        usage.has("prompt_tokens_details")
            ? usage.get("prompt_tokens_details")
            : usage.path("input_tokens_details");
    if (details.isObject()) {
      cached = UsageCounts.take(details, "cached_tokens", cached);
    }
  }

  Usage toUsage() {
    long cachedTokens = Math.min(cached, prompt);
    return new Usage(prompt - cachedTokens, completion, 0, cachedTokens);
  }
}
