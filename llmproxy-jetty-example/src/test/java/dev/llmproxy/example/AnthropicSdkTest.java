package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official Anthropic Java SDK works through the proxy unmodified. */
class AnthropicSdkTest {
  private ProxyFixture fixture;
  private AnthropicClient client;

  @BeforeEach
  void start() throws Exception {
    fixture = new ProxyFixture();
    client =
        AnthropicOkHttpClient.builder()
            .baseUrl(fixture.anthropicBase())
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

  private static MessageCreateParams params() {
    return MessageCreateParams.builder()
        .model("claude-sonnet-4-5")
        .maxTokens(64)
        .addUserMessage("Hi")
        .build();
  }

  @Test
  void nonStreamingMessage() throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(AnthropicFixtures.MESSAGE_JSON)
            .build());

    Message message = client.messages().create(params());

    assertEquals("msg_01", message.id());
    assertEquals("Hello!", message.content().get(0).text().map(TextBlock::text).orElseThrow());
    assertEquals(12, message.usage().inputTokens());
    RecordedRequest upstream = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("/v1/messages", upstream.getTarget());
    assertEquals(ProxyFixture.UPSTREAM_KEY, upstream.getHeaders().get("x-api-key"));
    assertNull(upstream.getHeaders().get("authorization"));
  }

  @Test
  void streamingMessage() throws Exception {
    ScriptedStream stream = ScriptedStream.of(AnthropicFixtures.STREAM_EVENTS);
    stream.release();
    fixture.upstream.enqueue(stream.response());

    StringBuilder text = new StringBuilder();
    int events = 0;
    try (StreamResponse<RawMessageStreamEvent> response =
        client.messages().createStreaming(params())) {
      for (RawMessageStreamEvent event :
          (Iterable<RawMessageStreamEvent>) response.stream()::iterator) {
        events++;
        event
            .contentBlockDelta()
            .flatMap(delta -> delta.delta().text())
            .ifPresent(delta -> text.append(delta.text()));
      }
    }
    assertEquals("Hello", text.toString());
    assertEquals(7, events); // the ping is not surfaced
  }
}
