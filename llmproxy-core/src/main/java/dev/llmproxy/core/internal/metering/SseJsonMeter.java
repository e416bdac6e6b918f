package dev.llmproxy.core.internal.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.core.internal.json.Json;
import java.io.IOException;

/**
 * The skeleton of an SSE usage meter: split the stream into lines, parse each {@code data:} line
 * that mentions usage, and hand the JSON to the provider's {@link #onEvent}. Never throws.
 */
abstract class SseJsonMeter implements UsageMeter {
  private static final ObjectMapper MAPPER = new ObjectMapper(Json.FACTORY);

  private final SseLines lines = new SseLines(this::data);

  @Override
  public final void update(byte[] bytes, int offset, int length) {
    try {
      lines.update(bytes, offset, length);
    } catch (RuntimeException e) {
      // a meter bug costs metering, never the response
    }
  }

  private void data(byte[] bytes, int offset, int length) {
    JsonNode event;
    try {
      event = MAPPER.readTree(bytes, offset, length);
    } catch (IOException e) {
      return; // a malformed line: skip it
    }
    if (event != null) {
      onEvent(event);
    }
  }

  /** One parsed {@code data:} payload that mentions usage. */
  abstract void onEvent(JsonNode event);

  /** {@code node}'s text if it is a short string, else {@code current}. */
  static String text(JsonNode node, String current) {
    return node.isTextual() && node.textValue().length() <= 256 ? node.textValue() : current;
  }
}
