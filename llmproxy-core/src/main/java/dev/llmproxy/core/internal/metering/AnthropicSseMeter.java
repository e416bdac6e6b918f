package dev.llmproxy.core.internal.metering;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Usage from an Anthropic Messages SSE stream: {@code message_start.message.usage} (input and cache
 * tokens, a first output count) and {@code message_delta.usage} (cumulative; the latest wins, and
 * some upstreams report input and cache tokens only here). Complete once a {@code message_delta}
 * with usage arrived. Unknown events, pings and {@code event: error} pass by.
 */
public final class AnthropicSseMeter extends SseJsonMeter {
  private final UsageCounts counts = new UsageCounts();
  private boolean complete;
  private String model;
  private String stopReason;

  @Override
  void onEvent(JsonNode event) {
    switch (event.path("type").asText()) {
      case "message_start" -> {
        model = text(event.path("message").path("model"), model);
        JsonNode usage = event.path("message").path("usage");
        if (usage.isObject()) {
          counts.takeAnthropic(usage);
        }
      }
      case "message_delta" -> {
        stopReason = text(event.path("delta").path("stop_reason"), stopReason);
        JsonNode usage = event.path("usage");
        if (usage.isObject()) {
          counts.takeAnthropic(usage);
          complete = true;
        }
      }
      default -> {}
    }
  }

  @Override
  public Metered result() {
    return new Metered(counts.toUsage(), complete, model, stopReason);
  }
}
