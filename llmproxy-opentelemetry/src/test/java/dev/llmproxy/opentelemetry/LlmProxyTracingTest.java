package dev.llmproxy.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.ExchangeStart;
import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.core.OkHttpUpstreamClient;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real exchanges through the filter in a real Jetty, their spans read from the SDK's in-memory
 * exporter: the GenAI attributes, the stages as events, the caller's trace continued and forwarded
 * upstream, and never a prompt, a completion, a token or a key in any attribute or event.
 */
class LlmProxyTracingTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String CALLER_SPAN = "b7ad6b7169203331";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01";
  private static final String PROMPT = "PROMPT-the-secret-plans-of-alice";
  private static final String COMPLETION = "COMPLETION-the-answer-text";
  private static final String MODEL = "claude-sonnet-4-5";
  private static final String REQUEST =
      "{\"model\":\""
          + MODEL
          + "\",\"max_tokens\":64,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\""
          + PROMPT
          + "\"}]}";
  private static final String MESSAGE =
      "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
          + MODEL
          + "\","
          + "\"content\":[{\"type\":\"text\",\"text\":\""
          + COMPLETION
          + "\"}],"
          + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":12,\"output_tokens\":3,"
          + "\"cache_creation_input_tokens\":2,\"cache_read_input_tokens\":5}}";

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final LlmProxyTracing tracing =
      LlmProxyTracing.create(OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build());
  private final MockWebServer upstream = new MockWebServer();
  private final OkHttpUpstreamClient upstreamClient = OkHttpUpstreamClient.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private ProxyServer proxy;

  @BeforeEach
  void start() throws Exception {
    upstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    upstreamClient.close();
    upstream.close();
    tracerProvider.close();
  }

  private HttpResponse<String> send(String token, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(proxy.anthropicBase() + "/v1/messages"))
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(REQUEST));
    headers.forEach(request::header);
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    proxy.nextEvent(); // the span ended before the listeners heard of the exchange
    return response;
  }

  private SpanData onlySpan() {
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertEquals(1, spans.size(), spans.toString());
    return spans.get(0);
  }

  @Test
  void aSpanContinuesTheCallersTraceWithTheGenAiAttributesAndTheStagesAsEvents() throws Exception {
    proxy = new ProxyServer(upstream.url("/").toString(), tracing);
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(MESSAGE)
            .build());
    assertEquals(200, send(ProxyServer.TOKEN, Map.of("traceparent", TRACEPARENT)).statusCode());

    SpanData span = onlySpan();
    assertEquals(TRACE_ID, span.getTraceId());
    assertEquals(CALLER_SPAN, span.getParentSpanId());
    assertEquals(SpanKind.SERVER, span.getKind());
    assertEquals("chat " + MODEL, span.getName());
    var attributes = span.getAttributes();
    assertEquals("anthropic", attributes.get(AttributeKey.stringKey("gen_ai.system")));
    assertEquals("chat", attributes.get(AttributeKey.stringKey("gen_ai.operation.name")));
    assertEquals(MODEL, attributes.get(AttributeKey.stringKey("gen_ai.request.model")));
    assertEquals(MODEL, attributes.get(AttributeKey.stringKey("gen_ai.response.model")));
    assertEquals(
        List.of("end_turn"),
        attributes.get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")));
    assertEquals(12L, attributes.get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
    assertEquals(3L, attributes.get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
    assertEquals(5L, attributes.get(AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens")));
    assertEquals(200L, attributes.get(AttributeKey.longKey("http.response.status_code")));
    assertEquals("ok", attributes.get(AttributeKey.stringKey("llmproxy.outcome")));
    assertTrue(attributes.get(AttributeKey.doubleKey("llmproxy.cost_usd")) > 0);
    assertEquals(StatusCode.UNSET, span.getStatus().getStatusCode());
    assertEquals(
        List.of(
            "authenticate",
            "route",
            "read_body",
            "alias",
            "authorize",
            "reserve",
            "credential",
            "failover",
            "forward",
            "respond",
            "settle"),
        span.getEvents().stream().map(EventData::getName).toList());
    assertNull(
        upstream.takeRequest().getHeaders().get("traceparent"),
        "without the tracing client the caller's traceparent is not forwarded");
  }

  @Test
  void theSpanIsCurrentUntilTheExchangeLeavesItsThreadAndEndsOnAnother() throws Exception {
    ExchangeObserver.Observation observation =
        tracing.start(
            new ExchangeStart(Instant.EPOCH, "POST", "/v1/messages", "anthropic", Headers.empty()));
    assertTrue(Span.current().getSpanContext().isValid(), "current for the upstream client");

    observation.detach(); // the container's thread goes back to its pool
    assertFalse(
        Span.current().getSpanContext().isValid(), "the next request on this thread has no span");

    Thread relay =
        new Thread(
            () ->
                observation.end(
                    ProxyEvent.builder()
                        .timestamp(Instant.EPOCH)
                        .method("POST")
                        .path("/v1/messages")
                        .status(200)
                        .outcome(Outcome.OK)
                        .build()));
    relay.start();
    relay.join();
    assertEquals(1, exporter.getFinishedSpanItems().size(), "ended from the relay's thread");
  }

  @Test
  void theTracingClientForwardsTheExchangesSpanUpstream() throws Exception {
    proxy =
        new ProxyServer(
            upstream.url("/").toString(), tracing, tracing.upstreamClient(upstreamClient));
    upstream.enqueue(new MockResponse.Builder().body(MESSAGE).build());
    assertEquals(200, send(ProxyServer.TOKEN, Map.of("traceparent", TRACEPARENT)).statusCode());

    SpanData span = onlySpan();
    RecordedRequest forwarded = upstream.takeRequest();
    assertEquals(
        "00-" + TRACE_ID + "-" + span.getSpanId() + "-01",
        forwarded.getHeaders().get("traceparent"),
        "the upstream's parent is the exchange's span");
    assertEquals(ProxyServer.UPSTREAM_KEY, forwarded.getHeaders().get("x-api-key"));
  }

  @Test
  void theSpanGoesUpstreamFromTheThreadThatReadTheEndOfASlowUpload() throws Exception {
    proxy =
        new ProxyServer(
            upstream.url("/").toString(), tracing, tracing.upstreamClient(upstreamClient), true);
    upstream.enqueue(new MockResponse.Builder().body(MESSAGE).build());
    byte[] body = REQUEST.getBytes(StandardCharsets.UTF_8);
    int half = body.length / 2;
    try (Socket socket = new Socket()) {
      socket.connect(proxy.address());
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                  + ProxyServer.TOKEN
                  + "\r\ntraceparent: "
                  + TRACEPARENT
                  + "\r\ncontent-type: application/json\r\nconnection: close\r\n"
                  + "content-length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, half);
      out.flush();
      proxy.awaitStage("read_body"); // the starting thread leaves while the rest is awaited
      out.write(body, half, body.length - half);
      out.flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
    proxy.nextEvent();

    SpanData span = onlySpan();
    assertEquals(TRACE_ID, span.getTraceId());
    assertEquals(
        "00-" + TRACE_ID + "-" + span.getSpanId() + "-01",
        upstream.takeRequest().getHeaders().get("traceparent"),
        "the stages after the body went on without the exchange's span");
  }

  @Test
  void theSpanIsCurrentWhereTheStagesGoOnAndOnlyUntilTheyLeave() throws Exception {
    ExchangeObserver.Observation observation =
        tracing.start(
            new ExchangeStart(Instant.EPOCH, "POST", "/v1/messages", "anthropic", Headers.empty()));
    String started = Span.current().getSpanContext().getSpanId();
    observation.detach(); // waits for the request body without a thread

    String[] seen = new String[2];
    Thread reader =
        new Thread(
            () -> {
              observation.attach(); // the body's end arrived on this thread
              seen[0] = Span.current().getSpanContext().getSpanId();
              observation.detach();
              seen[1] = Span.current().getSpanContext().isValid() ? "still current" : "none";
            });
    reader.start();
    reader.join();
    assertEquals(started, seen[0], "the span is current where the stages go on");
    assertEquals("none", seen[1], "the span stays current after the stages left");
    assertFalse(Span.current().getSpanContext().isValid());
  }

  @Test
  void aRefusalIsAnErrorSpanInANewTraceWithoutATraceparent() throws Exception {
    proxy = new ProxyServer(upstream.url("/").toString(), tracing);
    assertEquals(401, send("lp_sk_not_a_token", Map.of()).statusCode());
    SpanData span = onlySpan();
    assertFalse(span.getParentSpanContext().isValid(), "a root span");
    assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
    assertEquals(401L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals(
        List.of("authenticate", "error", "settle"),
        span.getEvents().stream().map(EventData::getName).toList());
  }

  @Test
  void noAttributeOrEventHoldsAPromptACompletionATokenOrAKey() throws Exception {
    proxy =
        new ProxyServer(
            upstream.url("/").toString(), tracing, tracing.upstreamClient(upstreamClient));
    upstream.enqueue(new MockResponse.Builder().body(MESSAGE).build());
    send(ProxyServer.TOKEN, Map.of("traceparent", TRACEPARENT));
    upstream.enqueue(new MockResponse.Builder().code(500).body(COMPLETION).build());
    send(ProxyServer.TOKEN, Map.of());
    send("lp_sk_wrong_token_value", Map.of());

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertEquals(3, spans.size());
    StringBuilder everything = new StringBuilder();
    for (SpanData span : spans) {
      everything.append(span.getName()).append(span.getAttributes());
      for (EventData event : span.getEvents()) {
        everything.append(event.getName()).append(event.getAttributes());
      }
    }
    String text = everything.toString();
    assertTrue(text.contains(MODEL), "the check sees the attributes: " + text);
    for (String secret :
        List.of(
            PROMPT,
            COMPLETION,
            ProxyServer.TOKEN,
            "lp_sk_wrong_token_value",
            ProxyServer.UPSTREAM_KEY,
            "alice")) {
      assertFalse(text.contains(secret), secret + " in " + text);
    }
  }
}
