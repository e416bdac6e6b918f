package dev.llmproxy.core.internal.metering;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Usage from OpenAI streams: the final Chat Completions chunk that carries {@code usage} (sent when
 * the request set {@code stream_options.include_usage}), and the Responses API's {@code
 * response.completed} (or {@code .incomplete}/{@code .failed}) event with {@code response.usage}. A
 * chat stream without a usage chunk meters nothing and stays incomplete.
 */
public final class OpenAiSseMeter extends SseJsonMeter {
  private final OpenAiUsage usage = new OpenAiUsage();
  private boolean complete;
  private String model;
  private String finishReason;

  @Override
  void onEvent(JsonNode event) {
    model = text(event.path("model"), model);
    finishReason = text(event.path("choices").path(0).path("finish_reason"), finishReason);
    if (event.path("usage").isObject()) { // chat.completion.chunk with include_usage
      usage.take(event.get("usage"));
      complete = true;
      return;
    }
    JsonNode response = event.path("response");
    model = text(response.path("model"), model);
    if (response.path("usage").isObject()) {
      usage.take(response.get("usage"));
      String type = event.path("type").asText();
      complete |=
          type.equals("response.completed")
              || type.equals("response.incomplete")
              || type.equals("response.failed");
    }
  }

  @Override
  public Metered result() {
    return new Metered(usage.toUsage(), complete, model, finishReason);
  }
}
