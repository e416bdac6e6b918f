package dev.llmproxy.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Usage from an Anthropic Messages SSE stream: {@code message_start.message.usage} (input and cache
 * tokens, a first output count) and {@code message_delta.usage} (cumulative; the latest wins, and
 * some upstreams report input and cache tokens only here). Complete once a {@code message_delta}
 * with usage arrived. Unknown events, pings and {@code event: error} pass by.
 */
final class AnthropicSseMeter implements UsageMeter {
  private static final ObjectMapper MAPPER = new ObjectMapper(Json.FACTORY);

  private final UsageCounts counts = new UsageCounts();
  private final SseLines lines = new SseLines(this::data);
  private boolean complete;

  @Override
  public void update(byte[] bytes, int offset, int length) {
    try {
      lines.update(bytes, offset, length);
    } catch (RuntimeException e) {
      // never on the forwarding path: a meter bug costs metering, not the response
    }
  }

  private void data(byte[] bytes, int offset, int length) {
    JsonNode event;
    try {
      event = MAPPER.readTree(bytes, offset, length);
    } catch (IOException e) {
      return; // a malformed line: skip it
    }
    if (event == null) {
      return;
    }
    switch (event.path("type").asText()) {
      case "message_start" -> {
        JsonNode usage = event.path("message").path("usage");
        if (usage.isObject()) {
          counts.takeAnthropic(usage);
        }
      }
      case "message_delta" -> {
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
    return new Metered(counts.toUsage(), complete);
  }
}
