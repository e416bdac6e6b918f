package dev.llmproxy.core.internal.metering;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Usage;
import dev.llmproxy.core.ModelPrice;
import dev.llmproxy.core.PriceTable;
import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.provider.OpenAiProfile;
import dev.llmproxy.core.internal.provider.RequestPeek;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OpenAiMetersTest {
  static final String CHAT_JSON =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"usage\"},"
          + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":30,"
          + "\"total_tokens\":1230,\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}";

  /** prompt_tokens include the cached ones: 1200 = 176 fresh + 1024 cached. */
  static final Usage CHAT_USAGE = new Usage(176, 30, 0, 1024);

  static final String CHAT_STREAM_HEAD =
      "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
          + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n"
          + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
          + "\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],\"usage\":null}\n\n"
          + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
          + "\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n";

  static final String CHAT_STREAM_WITH_USAGE =
      CHAT_STREAM_HEAD
          + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
          + "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":7,\"total_tokens\":57,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":20}}}\n\n"
          + "data: [DONE]\n\n";

  static final String RESPONSES_STREAM =
      "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\","
          + "\"status\":\"in_progress\",\"usage\":null}}\n\n"
          + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
          + "\"delta\":\"Hel\"}\n\n"
          + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{"
          + "\"id\":\"resp_1\",\"status\":\"completed\",\"usage\":{\"input_tokens\":40,"
          + "\"input_tokens_details\":{\"cached_tokens\":8},\"output_tokens\":12,"
          + "\"output_tokens_details\":{\"reasoning_tokens\":4},\"total_tokens\":52}}}\n\n";

  static final String RESPONSES_JSON =
      "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"output\":[],"
          + "\"usage\":{\"input_tokens\":40,\"input_tokens_details\":{\"cached_tokens\":8},"
          + "\"output_tokens\":12,\"output_tokens_details\":{\"reasoning_tokens\":4},\"total_tokens\":52}}";

  static final String EMBEDDINGS_JSON =
      "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2]}],"
          + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";

  private static UsageMeter.Metered atEverySplit(
      Supplier<UsageMeter> meter, String text, Usage expected) {
    byte[] bytes = text.getBytes(UTF_8);
    UsageMeter.Metered last = null;
    for (int split = 0; split <= bytes.length; split++) {
      UsageMeter m = meter.get();
      m.update(bytes, 0, split);
      m.update(bytes, split, bytes.length - split);
      last = m.result();
      assertEquals(expected, last.usage(), "split " + split);
    }
    return last;
  }

  @Test
  void chatCompletionJsonSplitsCachedTokensOutOfThePrompt() {
    assertTrue(atEverySplit(JsonUsageMeter::openAi, CHAT_JSON, CHAT_USAGE).complete());
  }

  @Test
  void theResponseModelAndFinishReasonAreReadFromTheJsonAndTheStream() {
    UsageMeter meter = JsonUsageMeter.openAi();
    byte[] json = CHAT_JSON.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    meter.update(json, 0, json.length);
    assertEquals("gpt-4o-mini", meter.result().responseModel());
    assertEquals("stop", meter.result().finishReason());
    UsageMeter stream = new OpenAiSseMeter();
    byte[] chunks = CHAT_STREAM_WITH_USAGE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    stream.update(chunks, 0, chunks.length);
    assertEquals("stop", stream.result().finishReason(), "the usage chunk's empty choices keep it");
  }

  @Test
  void chatStreamWithTheUsageChunk() {
    assertTrue(
        atEverySplit(OpenAiSseMeter::new, CHAT_STREAM_WITH_USAGE, new Usage(30, 7, 0, 20))
            .complete());
  }

  @Test
  void chatStreamWithoutTheUsageChunkMetersNothingAndIsIncomplete() {
    UsageMeter.Metered metered =
        atEverySplit(OpenAiSseMeter::new, CHAT_STREAM_HEAD + "data: [DONE]\n\n", Usage.NONE);
    assertFalse(metered.complete());
  }

  @Test
  void responsesApiStreamAndJson() {
    Usage expected = new Usage(32, 12, 0, 8);
    assertTrue(atEverySplit(OpenAiSseMeter::new, RESPONSES_STREAM, expected).complete());
    assertTrue(atEverySplit(JsonUsageMeter::openAi, RESPONSES_JSON, expected).complete());
  }

  @Test
  void embeddingsHaveOnlyPromptTokens() {
    assertEquals(
        new Usage(8, 0, 0, 0),
        atEverySplit(JsonUsageMeter::openAi, EMBEDDINGS_JSON, new Usage(8, 0, 0, 0)).usage());
  }

  @Test
  void openAiEnvelopeUsesOpenAisTypesAndCodes() {
    OpenAiProfile profile = new OpenAiProfile("https://api.openai.com", false);
    assertEquals(
        "{\"error\":{\"message\":\"m\",\"type\":\"invalid_request_error\",\"param\":null,"
            + "\"code\":\"invalid_api_key\"}}",
        new String(profile.errorBody(ErrorType.AUTHENTICATION, "m"), UTF_8));
    assertTrue(
        new String(profile.errorBody(ErrorType.RATE_LIMIT, "m"), UTF_8)
            .contains("\"code\":\"rate_limit_exceeded\""));
    assertTrue(
        new String(profile.errorBody(ErrorType.QUOTA, "m"), UTF_8)
            .contains("\"type\":\"insufficient_quota\""));
    assertEquals(503, profile.overloadedStatus());
  }

  @Test
  void usageInjectionIsOptInAndOnlyForStreamingChat() throws Exception {
    OpenAiProfile on = new OpenAiProfile("https://api.openai.com", true);
    OpenAiProfile off = new OpenAiProfile("https://api.openai.com", false);
    byte[] body =
        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"x\":1},\"messages\":[]}"
            .getBytes(UTF_8);
    RequestPeek peek = RequestPeek.of(body, "application/json");

    String injected = new String(on.prepareBody("/v1/chat/completions", peek, body), UTF_8);
    assertEquals(
        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"x\":1,\"include_usage\":true},"
            + "\"messages\":[]}",
        injected);
    assertEquals(body, off.prepareBody("/v1/chat/completions", peek, body), "off: same bytes");
    assertEquals(body, on.prepareBody("/v1/responses", peek, body), "only chat completions");
    byte[] notStreaming = "{\"model\":\"m\"}".getBytes(UTF_8);
    assertEquals(
        notStreaming,
        on.prepareBody(
            "/v1/chat/completions",
            RequestPeek.of(notStreaming, "application/json"),
            notStreaming));
  }

  @Test
  void openAiPricesAreInTheTable() {
    PriceTable prices = PriceTable.defaults();
    assertEquals(new ModelPrice(150, 600, 150, 75), prices.price("gpt-4o-mini-2024-07-18"));
    assertEquals(new ModelPrice(2500, 10000, 2500, 1250), prices.price("gpt-4o-2024-08-06"));
    // 176 fresh input at $0.15 + 1024 cached at $0.075 + 30 output at $0.60 per MTok
    assertEquals(176 * 150 + 30 * 600 + 1024 * 75, prices.price("gpt-4o-mini").cost(CHAT_USAGE));
  }
}
