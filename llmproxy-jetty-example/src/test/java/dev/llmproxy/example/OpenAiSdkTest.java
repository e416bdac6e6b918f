package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK works through the proxy unmodified. */
class OpenAiSdkTest {
  static final String OPENAI_KEY = ProxyFixture.OPENAI_KEY;

  private ProxyFixture fixture;
  private OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    fixture = new ProxyFixture();
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(fixture.server.baseUrl() + "/proxy/openai/v1")
            .apiKey(fixture.token)
            .maxRetries(0)
            .timeout(Duration.ofSeconds(30))
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    fixture.close();
  }

  private RecordedRequest upstreamRequest() throws InterruptedException {
    RecordedRequest request = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("Bearer " + OPENAI_KEY, request.getHeaders().get("authorization"));
    return request;
  }

  @Test
  void chatCompletion() throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(OpenAiFixtures.CHAT_JSON)
            .build());
    ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model("gpt-4o-mini")
                    .addUserMessage("Hi")
                    .build());
    assertEquals("Hello!", completion.choices().get(0).message().content().orElseThrow());
    assertEquals("/v1/chat/completions", upstreamRequest().getTarget());
    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.OK, event.outcome());
    assertEquals("openai", event.provider().orElseThrow());
    assertEquals(9, event.usage().inputTokens());
    assertEquals(3, event.usage().outputTokens());
    assertTrue(event.costNanoUsd() > 0);
  }

  @Test
  void streamingChatCompletion() throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .chunkedBody(OpenAiFixtures.CHAT_STREAM, 40)
            .build());
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream =
        client
            .chat()
            .completions()
            .createStreaming(
                ChatCompletionCreateParams.builder()
                    .model("gpt-4o-mini")
                    .addUserMessage("Hi")
                    .build())) {
      stream.stream()
          .forEach(
              chunk ->
                  chunk
                      .choices()
                      .forEach(choice -> choice.delta().content().ifPresent(text::append)));
    }
    assertEquals("Hello", text.toString());
    upstreamRequest();
    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.OK, event.outcome());
    assertEquals(7, event.usage().outputTokens());
  }

  @Test
  void withUsageInjectionOnAStreamThatDidNotAskIsStillMeteredAndTheSdkCopes() throws Exception {
    try (ProxyFixture injecting =
        new ProxyFixture(java.util.Map.of("LLMPROXY_OPENAI_INJECT_STREAM_USAGE", "true"))) {
      OpenAIClient sdk =
          OpenAIOkHttpClient.builder()
              .baseUrl(injecting.server.baseUrl() + "/proxy/openai/v1")
              .apiKey(injecting.token)
              .maxRetries(0)
              .build();
      injecting.upstream.enqueue(
          new MockResponse.Builder()
              .setHeader("content-type", "text/event-stream")
              .chunkedBody(OpenAiFixtures.CHAT_STREAM, 40)
              .build());
      StringBuilder text = new StringBuilder();
      try (StreamResponse<ChatCompletionChunk> stream =
          sdk.chat()
              .completions()
              .createStreaming(
                  ChatCompletionCreateParams.builder()
                      .model("gpt-4o-mini")
                      .addUserMessage("Hi")
                      .build())) {
        stream.stream()
            .forEach(
                c ->
                    c.choices()
                        .forEach(choice -> choice.delta().content().ifPresent(text::append)));
      }
      assertEquals("Hello", text.toString());
      com.fasterxml.jackson.databind.JsonNode sent =
          ProxyFixture.json(injecting.upstream.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
      assertTrue(sent.get("stream_options").get("include_usage").asBoolean(), sent.toString());
      assertEquals("Hi", sent.get("messages").get(0).get("content").asText());
      assertEquals(7, injecting.nextEvent().usage().outputTokens());
      sdk.close();
    }
  }

  @Test
  void responsesApiCall() throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(OpenAiFixtures.RESPONSES_JSON)
            .build());
    Response response =
        client
            .responses()
            .create(ResponseCreateParams.builder().model("gpt-4o-mini").input("Hi").build());
    assertEquals("resp_1", response.id());
    assertEquals("/v1/responses", upstreamRequest().getTarget());
    ProxyEvent event = fixture.nextEvent();
    assertEquals(32, event.usage().inputTokens());
    assertEquals(8, event.usage().cacheReadInputTokens());
  }
}
