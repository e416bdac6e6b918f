package dev.llmproxy.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real exchanges through the filter in a real Jetty, read back from a {@link SimpleMeterRegistry}:
 * names, tags and values after a success, a stream, a 429, an upstream 500, an unreachable upstream
 * and a client that leaves; exchanges in flight; bounded model tags; no user, token or secret in
 * any tag.
 */
class LlmProxyMetricsTest {
  private static final String MODEL = "claude-sonnet-4-5";
  private static final String MESSAGE =
      "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
          + MODEL
          + "\","
          + "\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"}],\"stop_reason\":\"end_turn\","
          + "\"usage\":{\"input_tokens\":12,\"output_tokens\":3,"
          + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":5}}";
  private static final String STREAM_START =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\""
          + MODEL
          + "\",\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n";
  private static final String STREAM_END =
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":4}}\n\n"
          + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MockWebServer upstream = new MockWebServer();
  private final OkHttpClient client =
      new OkHttpClient.Builder().readTimeout(30, TimeUnit.SECONDS).build();
  private ProxyServer proxy;

  @BeforeEach
  void start() throws Exception {
    upstream.start();
    proxy =
        new ProxyServer(
            upstream.url("/").toString(), LlmProxyMetrics.builder(registry).maxModels(2).build());
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    upstream.close();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private Call call(String model) {
    return client.newCall(
        new Request.Builder()
            .url(proxy.anthropicBase() + "/v1/messages")
            .header("x-api-key", ProxyServer.TOKEN)
            .post(
                RequestBody.create(
                    "{\"model\":\"" + model + "\",\"max_tokens\":64,\"messages\":[]}",
                    MediaType.get("application/json")))
            .build());
  }

  private int send(String model) throws IOException {
    try (Response response = call(model).execute()) {
      response.body().string();
      return response.code();
    }
  }

  private Timer duration(String outcome, String status) {
    return registry
        .find(LlmProxyMetrics.OPERATION_DURATION)
        .tag("outcome", outcome)
        .tag("status", status)
        .timer();
  }

  private double tokens(String type) {
    var summary =
        registry.find(LlmProxyMetrics.TOKEN_USAGE).tag("gen_ai.token.type", type).summary();
    return summary == null ? 0 : summary.totalAmount();
  }

  @Test
  void aSuccessRecordsItsDurationTokensCostTimeToFirstByteAndOverhead() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(MESSAGE)
            .build());
    assertEquals(200, send(MODEL));
    ProxyEvent event = proxy.nextEvent();

    Timer ok = duration("ok", "200");
    assertNotNull(ok, "no " + LlmProxyMetrics.OPERATION_DURATION);
    assertEquals(1, ok.count());
    assertEquals("anthropic", ok.getId().getTag("gen_ai.system"));
    assertEquals("chat", ok.getId().getTag("gen_ai.operation.name"));
    assertEquals(MODEL, ok.getId().getTag("gen_ai.request.model"));
    assertEquals(event.latency().toNanos(), ok.totalTime(TimeUnit.NANOSECONDS), 1);
    assertEquals(12, tokens("input"));
    assertEquals(3, tokens("output"));
    assertEquals(5, tokens("cache_read"));
    assertEquals(0, tokens("cache_creation"), "no meter for a type the upstream did not report");
    double cost =
        registry.get(LlmProxyMetrics.COST).tag("gen_ai.request.model", MODEL).counter().count();
    assertEquals(event.costNanoUsd() / 1e9, cost, 1e-12);
    assertTrue(cost > 0);
    Timer ttfb = registry.get(LlmProxyMetrics.TIME_TO_FIRST_BYTE).timer();
    assertEquals(
        event.timeToFirstByte().orElseThrow().toNanos(), ttfb.totalTime(TimeUnit.NANOSECONDS), 1);
    Timer overhead = registry.get(LlmProxyMetrics.OVERHEAD).tag("outcome", "ok").timer();
    assertEquals(event.overhead().toNanos(), overhead.totalTime(TimeUnit.NANOSECONDS), 1);
    assertEquals(0, registry.get(LlmProxyMetrics.ACTIVE).gauge().value());
  }

  @Test
  void aStreamCountsAsOneExchangeInFlightUntilItsLastByte() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .body(STREAM_START + STREAM_END)
            .throttleBody(STREAM_START.length(), 2, TimeUnit.SECONDS) // the end comes later
            .build());
    try (Response response = call(MODEL).execute()) {
      var source = response.body().source();
      source.require(STREAM_START.length()); // the first event reached the client
      assertEquals(1, registry.get(LlmProxyMetrics.ACTIVE).gauge().value(), "in flight");
      response.body().string();
    }
    ProxyEvent event = proxy.nextEvent();
    assertEquals(Outcome.OK, event.outcome());
    assertEquals(0, registry.get(LlmProxyMetrics.ACTIVE).gauge().value(), "ended");
    assertEquals(1, duration("ok", "200").count());
    assertEquals(7, tokens("input"));
    assertEquals(4, tokens("output"));
  }

  @Test
  void aRateLimitIsALedgerDenialAndAnUpstream500AnUpstreamError() throws Exception {
    upstream.enqueue(new MockResponse.Builder().code(500).body("{}").build());
    assertEquals(500, send(MODEL));
    proxy.nextEvent();
    for (int i = 1; i < ProxyServer.RATE; i++) {
      upstream.enqueue(new MockResponse.Builder().body(MESSAGE).build());
      assertEquals(200, send(MODEL));
      proxy.nextEvent();
    }
    assertEquals(429, send(MODEL));
    proxy.nextEvent();

    assertEquals(
        1,
        registry
            .get(LlmProxyMetrics.LEDGER_DENIALS)
            .tag("reason", "rate_limited")
            .counter()
            .count());
    assertEquals(1, duration("rate_limited", "429").count());
    assertEquals(
        1,
        registry
            .get(LlmProxyMetrics.UPSTREAM_ERRORS)
            .tag("kind", "response_5xx")
            .counter()
            .count());
    assertEquals(1, duration("upstream_error", "500").count());
  }

  @Test
  void anUnreachableUpstreamIsCountedByItsKind() throws Exception {
    upstream.close(); // nothing listens there any more
    assertEquals(502, send(MODEL));
    proxy.nextEvent();
    assertEquals(
        1,
        registry.get(LlmProxyMetrics.UPSTREAM_ERRORS).tag("kind", "unreachable").counter().count());
    assertNull(registry.find(LlmProxyMetrics.TIME_TO_FIRST_BYTE).timer(), "it never answered");
  }

  @Test
  void aClientThatLeavesIsRecordedAsCancelledAndNoLongerInFlight() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).body(MESSAGE).build());
    Call call = call(MODEL);
    Thread caller =
        new Thread(
            () -> {
              try (Response response = call.execute()) {
                response.body().string();
              } catch (IOException expected) {
                // cancelled
              }
            });
    caller.start();
    upstream.takeRequest(); // the request reached the upstream: the exchange is in flight
    assertEquals(1, registry.get(LlmProxyMetrics.ACTIVE).gauge().value());
    call.cancel();
    ProxyEvent event = proxy.nextEvent();
    caller.join(10_000);
    assertEquals(Outcome.CLIENT_CANCELLED, event.outcome());
    assertEquals(
        1,
        registry
            .get(LlmProxyMetrics.OPERATION_DURATION)
            .tag("outcome", "client_cancelled")
            .timer()
            .count());
    assertEquals(0, registry.get(LlmProxyMetrics.ACTIVE).gauge().value());
  }

  @Test
  void modelTagsAreBoundedAndNoTagNamesTheUserTheTokenOrASecret() throws Exception {
    for (String model : new String[] {"model-a", "model-b", "model-c", "model-d"}) {
      upstream.enqueue(new MockResponse.Builder().body(MESSAGE).build());
      assertEquals(200, send(model));
      proxy.nextEvent();
    }
    assertEquals(
        1,
        duration("ok", "200").getId().getTags().stream()
            .filter(t -> t.getKey().equals("gen_ai.request.model"))
            .count());
    var models =
        registry.find(LlmProxyMetrics.OPERATION_DURATION).timers().stream()
            .map(t -> t.getId().getTag("gen_ai.request.model"))
            .collect(java.util.stream.Collectors.toSet());
    assertEquals(java.util.Set.of("model-a", "model-b", "other"), models);
    assertEquals(
        2,
        registry
            .get(LlmProxyMetrics.OPERATION_DURATION)
            .tag("gen_ai.request.model", "other")
            .timer()
            .count());

    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        for (String secret :
            new String[] {"alice", ProxyServer.TOKEN, ProxyServer.UPSTREAM_KEY, "Hello"}) {
          assertFalse(tag.getValue().contains(secret), meter.getId() + " names " + secret);
        }
      }
    }
  }
}
