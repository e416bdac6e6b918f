package dev.llmproxy.example;

import java.util.List;

/** Recorded-shape Anthropic Messages responses. */
final class AnthropicFixtures {
  private AnthropicFixtures() {}

  static final String MESSAGE_JSON =
      "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
          + "\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"}],\"stop_reason\":\"end_turn\","
          + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":3,"
          + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}";

  static final String REQUEST_JSON =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi \\u00e9\"}]}";

  static final List<String> STREAM_EVENTS =
      List.of(
          "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_02\","
              + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
              + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
              + "\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
          "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
              + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
          "event: ping\ndata: {\"type\": \"ping\"}\n\n",
          "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
              + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n",
          "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
              + "\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n",
          "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
          "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
              + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n",
          "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

  static String streamText() {
    return String.join("", STREAM_EVENTS);
  }
}
