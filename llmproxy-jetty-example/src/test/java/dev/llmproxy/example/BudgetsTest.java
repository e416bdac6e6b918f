package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Budgets, rate limits and tier rules through the real server, never overspending. */
class BudgetsTest {
  private static final String HAIKU_REQUEST =
      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  /** Upstream that answers every request at once: a budget leak would show as extra calls. */
  private static Dispatcher always(MockResponse response) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return response;
      }
    };
  }

  private static HttpRequest post(ProxyFixture fixture, String token, String body) {
    return HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static List<HttpResponse<String>> parallel(
      ProxyFixture fixture, HttpRequest request, int n) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(fixture.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    List<HttpResponse<String>> responses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> future : futures) {
      responses.add(future.get());
    }
    return responses;
  }

  private static Map<Outcome, Integer> outcomes(ProxyFixture fixture, int n) throws Exception {
    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    for (int i = 0; i < n; i++) {
      counts.merge(fixture.nextEvent().outcome(), 1, Integer::sum);
    }
    return counts;
  }

  private static JsonNode tokenView(ProxyFixture fixture, String id) throws Exception {
    return new ExampleClient(ProxyFixture.ADMIN_TOKEN).view(fixture.server, id);
  }

  @Test
  void exactlyMaxRequestsReachTheUpstreamUnder100ParallelRequests() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      fixture.upstream.setDispatcher(
          always(
              new MockResponse.Builder()
                  .setHeader("content-type", "application/json")
                  .body("{\"type\":\"message\",\"usage\":{\"input_tokens\":3,\"output_tokens\":2}}")
                  .build()));
      JsonNode issued = fixture.issue("{\"user\":\"bob\",\"max_requests\":10}");
      String token = issued.get("token").asText();
      String id = issued.get("id").asText();
      fixture.events.clear();

      List<HttpResponse<String>> responses =
          parallel(fixture, post(fixture, token, AnthropicFixtures.REQUEST_JSON), 100);

      long ok = responses.stream().filter(r -> r.statusCode() == 200).count();
      List<HttpResponse<String>> refused =
          responses.stream().filter(r -> r.statusCode() == 429).toList();
      assertEquals(10, ok);
      assertEquals(90, refused.size());
      assertEquals(10, fixture.upstream.getRequestCount());
      JsonNode error = ProxyFixture.json(refused.get(0).body());
      assertEquals("error", error.get("type").asText());
      assertEquals("rate_limit_error", error.get("error").get("type").asText());
      assertTrue(error.get("error").get("message").asText().contains("max_requests"));
      assertTrue(
          refused.get(0).headers().firstValue("retry-after").isEmpty(), "waiting won't help");

      Map<Outcome, Integer> outcomes = outcomes(fixture, 100);
      assertEquals(10, outcomes.get(Outcome.OK));
      assertEquals(90, outcomes.get(Outcome.QUOTA_EXCEEDED));
      assertEquals(10, tokenView(fixture, id).get("used_requests").asLong());
    }
  }

  @Test
  void parallelStreamsNeverSpendPastTheCapAndSpendEqualsTheMeteredCosts() throws Exception {
    // claude-haiku-4-5: $1 in, $5 out per MTok. Each stream: 20 in, 50 out = $0.00027.
    String stream =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-haiku-4-5\","
            + "\"usage\":{\"input_tokens\":20,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":50}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      fixture.upstream.setDispatcher(
          always(
              new MockResponse.Builder()
                  .setHeader("content-type", "text/event-stream")
                  .chunkedBody(stream, 64)
                  .build()));
      BigDecimal cap = new BigDecimal("0.003");
      JsonNode issued = fixture.issue("{\"user\":\"carol\",\"max_spend_usd\":" + cap + "}");
      String token = issued.get("token").asText();
      String id = issued.get("id").asText();
      fixture.events.clear();

      List<HttpResponse<String>> responses =
          parallel(fixture, post(fixture, token, HAIKU_REQUEST), 30);

      long metered = 0;
      int ok = 0;
      int refused = 0;
      for (int i = 0; i < 30; i++) {
        ProxyEvent event = fixture.nextEvent();
        if (event.outcome() == Outcome.OK) {
          ok++;
          assertEquals(270_000, event.costNanoUsd(), "20 in + 50 out at haiku prices");
          metered += event.costNanoUsd();
        } else {
          assertEquals(Outcome.QUOTA_EXCEEDED, event.outcome());
          refused++;
        }
      }
      assertTrue(ok > 0 && refused > 0, "the cap must bind: ok=" + ok + " refused=" + refused);
      assertEquals(ok, responses.stream().filter(r -> r.statusCode() == 200).count());
      BigDecimal spent = tokenView(fixture, id).get("spent_usd").decimalValue();
      assertEquals(0, spent.compareTo(BigDecimal.valueOf(metered, 9)), "spent == sum of metered");
      assertTrue(spent.compareTo(cap) <= 0, "spent " + spent + " over cap " + cap);
    }
  }

  @Test
  void rateLimitHeadersOnEveryResponseAnd429UntilTheWindowRolls() throws Exception {
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of("LLMPROXY_TIER_RATES", "free=3", "LLMPROXY_MAX_BODY_BYTES", "2048"))) {
      AtomicInteger calls = new AtomicInteger();
      fixture.upstream.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              return calls.incrementAndGet() == 2
                  ? new MockResponse.Builder().code(500).body("{\"type\":\"error\"}").build()
                  : new MockResponse.Builder().body("{}").build();
            }
          });
      long reset = fixture.clock.instant().getEpochSecond() + 55; // 5 s into the minute
      HttpRequest request = post(fixture, fixture.token, AnthropicFixtures.REQUEST_JSON);

      assertRateHeaders(fixture.send(request), 200, 3, 2, reset);
      assertRateHeaders(fixture.send(request), 500, 3, 1, reset); // upstream error
      String big = "{\"pad\":\"" + "x".repeat(3000) + "\"}";
      assertRateHeaders(fixture.send(post(fixture, fixture.token, big)), 413, 3, 1, reset);
      assertRateHeaders(fixture.send(request), 200, 3, 0, reset);
      HttpResponse<String> limited = fixture.send(request);
      assertRateHeaders(limited, 429, 3, 0, reset);
      assertEquals("55", limited.headers().firstValue("retry-after").orElseThrow());
      assertEquals(
          "rate_limit_error", ProxyFixture.json(limited.body()).get("error").get("type").asText());
      assertEquals(3, fixture.upstream.getRequestCount());

      fixture.clock.advance(Duration.ofSeconds(55)); // the next minute
      assertRateHeaders(fixture.send(request), 200, 3, 2, reset + 60);

      Map<Outcome, Integer> outcomes = outcomes(fixture, 6);
      assertEquals(1, outcomes.get(Outcome.RATE_LIMITED));
      assertEquals(1, outcomes.get(Outcome.BAD_REQUEST));
    }
  }

  @Test
  void everyResponseToAnAuthenticatedCallerCarriesTheRateHeaders() throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of(
                "LLMPROXY_TIER_RATES", "free=10",
                "LLMPROXY_ANTHROPIC_BASE_URL", "http://127.0.0.1:" + closed,
                "LLMPROXY_OPENAI_API_KEY", ""))) {
      String noRequestsLeft =
          fixture.issue("{\"user\":\"zed\",\"max_requests\":0}").get("token").asText();
      Map<String, HttpRequest> requests =
          Map.of(
              "400 malformed JSON", post(fixture, fixture.token, "{\"model\":"),
              "404 unknown provider",
                  HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/proxy/nope/v1/x"))
                      .header("x-api-key", fixture.token)
                      .build(),
              "403 no upstream credential",
                  HttpRequest.newBuilder(
                          URI.create(
                              fixture.server.baseUrl() + "/proxy/openai/v1/chat/completions"))
                      .header("Authorization", "Bearer " + fixture.token)
                      .POST(HttpRequest.BodyPublishers.ofString(OpenAiFixtures.REQUEST_JSON))
                      .build(),
              "502 upstream unreachable",
                  post(fixture, fixture.token, AnthropicFixtures.REQUEST_JSON),
              "429 quota", post(fixture, noRequestsLeft, AnthropicFixtures.REQUEST_JSON));
      for (Map.Entry<String, HttpRequest> entry : requests.entrySet()) {
        HttpResponse<String> response = fixture.send(entry.getValue());
        assertEquals(
            entry.getKey().substring(0, 3),
            Integer.toString(response.statusCode()),
            entry.getKey());
        assertEquals(
            "10",
            response.headers().firstValue("x-ratelimit-limit").orElse("missing"),
            entry.getKey());
        assertTrue(
            response.headers().firstValue("x-ratelimit-remaining").isPresent(), entry.getKey());
        assertTrue(response.headers().firstValue("x-ratelimit-reset").isPresent(), entry.getKey());
      }
    }
  }

  private static void assertRateHeaders(
      HttpResponse<String> response, int status, long limit, long remaining, long reset) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        Long.toString(limit), response.headers().firstValue("x-ratelimit-limit").orElse("missing"));
    assertEquals(
        Long.toString(remaining),
        response.headers().firstValue("x-ratelimit-remaining").orElse("missing"));
    assertEquals(
        Long.toString(reset), response.headers().firstValue("x-ratelimit-reset").orElse("missing"));
  }

  @Test
  void tierAndTokenRulesAre403BeforeAnyBudgetIsTouched() throws Exception {
    try (ProxyFixture fixture =
        new ProxyFixture(Map.of("LLMPROXY_TIER_MODELS", "free=claude-haiku-*"))) {
      fixture.upstream.setDispatcher(always(new MockResponse.Builder().body("{}").build()));
      String sonnet = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[]}";
      String haiku = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"messages\":[]}";

      HttpResponse<String> tierDenied = fixture.send(post(fixture, fixture.token, sonnet));
      assertEquals(403, tierDenied.statusCode());
      assertEquals(
          "permission_error",
          ProxyFixture.json(tierDenied.body()).get("error").get("type").asText());
      assertEquals(Outcome.TIER_DENIED, fixture.nextEvent().outcome());
      assertEquals("20", tierDenied.headers().firstValue("x-ratelimit-remaining").orElseThrow());

      String openAiOnly =
          fixture.issue("{\"user\":\"dan\",\"providers\":[\"openai\"]}").get("token").asText();
      assertEquals(403, fixture.send(post(fixture, openAiOnly, haiku)).statusCode());
      assertEquals(Outcome.FORBIDDEN, fixture.nextEvent().outcome());

      String opusOnly =
          fixture.issue("{\"user\":\"eve\",\"models\":[\"claude-opus-*\"]}").get("token").asText();
      assertEquals(403, fixture.send(post(fixture, opusOnly, haiku)).statusCode());
      assertEquals(Outcome.FORBIDDEN, fixture.nextEvent().outcome());
      assertEquals(0, fixture.upstream.getRequestCount());

      assertEquals(200, fixture.send(post(fixture, fixture.token, haiku)).statusCode());
      assertEquals(1, fixture.upstream.getRequestCount());
    }
  }

  @Test
  void theAuditLogHasOneLinePerExchangeWithTheContractFields() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      fixture.upstream.setDispatcher(
          always(
              new MockResponse.Builder()
                  .setHeader("content-type", "application/json")
                  .body(AnthropicFixtures.MESSAGE_JSON)
                  .build()));
      assertEquals(
          200,
          fixture.send(post(fixture, fixture.token, AnthropicFixtures.REQUEST_JSON)).statusCode());
      assertEquals(401, fixture.send(post(fixture, "lp_sk_nope", "{}")).statusCode());
      fixture.nextEvent();
      fixture.nextEvent();
      fixture.server.flushAudit();

      List<String> lines = Files.readAllLines(fixture.dataDir().resolve(AuditLog.FILE_NAME));
      assertEquals(2, lines.size(), String.join("\n", lines));
      JsonNode ok = ProxyFixture.json(lines.get(0));
      for (String field :
          new String[] {
            "ts",
            "principal",
            "token_id",
            "provider",
            "method",
            "path",
            "model",
            "status",
            "outcome",
            "latency_ms",
            "ttfb_ms",
            "usage",
            "cost_usd"
          }) {
        assertTrue(ok.has(field), field + " in " + ok);
      }
      assertEquals("alice", ok.get("principal").asText());
      assertEquals("ok", ok.get("outcome").asText());
      assertEquals("/v1/messages", ok.get("path").asText());
      assertEquals(12, ok.get("usage").get("input_tokens").asLong());
      assertEquals(3, ok.get("usage").get("output_tokens").asLong());
      // claude-sonnet-4-5: 12 x $3 + 3 x $15 per MTok = $0.000081
      assertEquals(0, ok.get("cost_usd").decimalValue().compareTo(new BigDecimal("0.000081")));
      JsonNode denied = ProxyFixture.json(lines.get(1));
      assertEquals("auth_denied", denied.get("outcome").asText());
      assertTrue(denied.get("principal").isNull());
      assertFalse(lines.get(0).contains(fixture.token) || lines.get(1).contains("lp_sk_nope"));
    }
  }
}
