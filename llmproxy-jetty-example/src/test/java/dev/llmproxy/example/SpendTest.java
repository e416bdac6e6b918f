package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * Spend is what the exchanges cost, as the upstream reported it, through the real server: the same
 * usage costs the same whether it came as JSON or as a stream, cache prices are applied, a cost
 * above the hold is booked whole (and flagged), and a token's {@code spent_usd} is the sum of its
 * audit lines' {@code cost_usd}.
 */
class SpendTest {
  /** A small body with a small max_tokens: the hold is far below a 10k-input answer's cost. */
  private static final String SONNET_REQUEST =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Summarise file_011CN\"}]}";

  private static MockResponse json(String usage) {
    return new MockResponse.Builder()
        .setHeader("content-type", "application/json")
        .body(
            "{\"type\":\"message\",\"model\":\"claude-sonnet-4-5\",\"content\":[],"
                + "\"usage\":"
                + usage
                + "}")
        .build();
  }

  private static MockResponse stream(String startUsage, String finalUsage) {
    return new MockResponse.Builder()
        .setHeader("content-type", "text/event-stream")
        .chunkedBody(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
                + startUsage
                + "}}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":"
                + finalUsage
                + "}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            32)
        .build();
  }

  private static HttpResponse<String> post(ProxyFixture fixture, String token) throws Exception {
    return fixture.send(
        HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(SONNET_REQUEST))
            .build());
  }

  @Test
  void tenThousandInTwoThousandOutOfSonnetCostSixCentsAsJsonAndAsAStream() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      fixture.upstream.enqueue(json("{\"input_tokens\":10000,\"output_tokens\":2000}"));
      fixture.upstream.enqueue(
          stream(
              "{\"input_tokens\":10000,\"output_tokens\":1}",
              "{\"input_tokens\":10000,\"output_tokens\":2000}"));
      for (String shape : new String[] {"json", "stream"}) {
        assertEquals(200, post(fixture, fixture.token).statusCode(), shape);
        ProxyEvent event = fixture.nextEvent();
        assertEquals(60_000_000, event.costNanoUsd(), shape + ": $0.03 in + $0.03 out");
        assertTrue(event.overshoot(), shape + ": the hold allowed for far less");
      }
    }
  }

  @Test
  void aCacheReadCostsLessThanInputWhichCostsLessThanACacheWrite() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      fixture.upstream.enqueue(json("{\"input_tokens\":0,\"cache_read_input_tokens\":1000}"));
      fixture.upstream.enqueue(json("{\"input_tokens\":1000}"));
      fixture.upstream.enqueue(json("{\"input_tokens\":0,\"cache_creation_input_tokens\":1000}"));
      long[] costs = new long[3];
      for (int i = 0; i < 3; i++) {
        assertEquals(200, post(fixture, fixture.token).statusCode());
        costs[i] = fixture.nextEvent().costNanoUsd();
      }
      assertEquals(300_000, costs[0], "1,000 cache reads at $0.30/M");
      assertEquals(3_000_000, costs[1], "1,000 input tokens at $3/M");
      assertEquals(3_750_000, costs[2], "1,000 cache writes at $3.75/M");
    }
  }

  @Test
  void anOvershootIsBookedWholeFlaggedInTheAuditAndRefusesTheTokenAfter() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      JsonNode issued = fixture.issue("{\"user\":\"dana\",\"max_spend_usd\":0.05}");
      String token = issued.get("token").asText();
      String id = issued.get("id").asText();
      fixture.upstream.enqueue(json("{\"input_tokens\":20,\"output_tokens\":10}"));
      fixture.upstream.enqueue(json("{\"input_tokens\":10000,\"output_tokens\":2000}"));
      fixture.upstream.enqueue(json("{\"input_tokens\":1,\"output_tokens\":1}"));

      assertEquals(200, post(fixture, token).statusCode());
      assertEquals(200, post(fixture, token).statusCode(), "its hold fits under the cap");
      HttpResponse<String> after = post(fixture, token);
      assertEquals(429, after.statusCode(), after.body());
      assertTrue(after.body().contains("max_spend_usd"), after.body());
      assertEquals(2, fixture.upstream.getRequestCount(), "the refused request never left");

      fixture.server.flushAudit();
      BigDecimal audited = BigDecimal.ZERO;
      int overshoots = 0;
      for (String line : Files.readAllLines(fixture.dataDir().resolve("audit.jsonl"))) {
        JsonNode entry = ProxyFixture.json(line);
        if (id.equals(entry.path("token_id").asText())) {
          audited = audited.add(entry.get("cost_usd").decimalValue());
          overshoots += entry.get("overshoot").asBoolean() ? 1 : 0;
          assertTrue(entry.has("estimated") && !entry.get("estimated").asBoolean(), line);
        }
      }
      assertEquals(1, overshoots, "the second exchange cost more than its hold");
      JsonNode view = new ExampleClient(ProxyFixture.ADMIN_TOKEN).view(fixture.server, id);
      BigDecimal spent = view.get("spent_usd").decimalValue();
      assertEquals(0, spent.compareTo(new BigDecimal("0.06021")), "0.00021 + 0.06: " + spent);
      assertEquals(0, spent.compareTo(audited), "spent_usd " + spent + " vs audit " + audited);
      Outcome refused = null;
      for (int i = 0; i < 3; i++) {
        refused = fixture.nextEvent().outcome();
      }
      assertEquals(Outcome.QUOTA_EXCEEDED, refused);
    }
  }

  @Test
  void everyRequestedChoiceIsHeldSoSeveralCannotSlipPastTheCap() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      String token =
          fixture.issue("{\"user\":\"erin\",\"max_spend_usd\":0.02}").get("token").asText();
      fixture.upstream.enqueue(
          new MockResponse.Builder()
              .setHeader("content-type", "application/json")
              .body("{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5}}")
              .build());
      // 1,000 output tokens of gpt-4o hold $0.01: one choice fits the $0.02 cap, four do not.
      assertEquals(200, chat(fixture, token, 1).statusCode());
      HttpResponse<String> four = chat(fixture, token, 4);
      assertEquals(429, four.statusCode(), four.body());
      assertEquals(1, fixture.upstream.getRequestCount(), "the four-choice request never left");
    }
  }

  private static HttpResponse<String> chat(ProxyFixture fixture, String token, int n)
      throws Exception {
    return fixture.send(
        HttpRequest.newBuilder(
                URI.create(fixture.server.baseUrl() + "/proxy/openai/v1/chat/completions"))
            .header("authorization", "Bearer " + token)
            .header("content-type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"gpt-4o\",\"max_tokens\":1000,\"n\":"
                        + n
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build());
  }
}
