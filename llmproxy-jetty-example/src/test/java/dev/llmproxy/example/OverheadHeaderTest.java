package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.ProxyEvent;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * Every proxied answer, relayed or refused, says the proxy's own time in {@code
 * x-llmproxy-overhead-ms}, below the exchange's latency, and the audit line says it as {@code
 * overhead_ms}; routes that are not proxied do not carry it.
 */
class OverheadHeaderTest {
  private static final String HEADER = "x-llmproxy-overhead-ms";

  private static BigDecimal overhead(HttpResponse<String> response) {
    Optional<String> value = response.headers().firstValue(HEADER);
    assertTrue(value.isPresent(), "no " + HEADER + " on " + response.statusCode());
    assertTrue(value.get().matches("\\d+\\.\\d{3}"), value.get());
    return new BigDecimal(value.get());
  }

  @Test
  void everyProxiedAnswerCarriesItBelowTheLatencyAndTheAuditLineToo() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      fixture.upstream.enqueue(
          new MockResponse.Builder()
              .setHeader("content-type", "application/json")
              .body(AnthropicFixtures.MESSAGE_JSON)
              .build());
      HttpResponse<String> ok =
          fixture.send(
              fixture
                  .anthropic("/v1/messages")
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                  .build());
      assertEquals(200, ok.statusCode(), ok.body());
      ProxyEvent okEvent = fixture.nextEvent();
      BigDecimal okOverhead = overhead(ok);
      assertTrue(
          okOverhead.compareTo(BigDecimal.valueOf(okEvent.latency().toNanos(), 6)) <= 0,
          okOverhead + " ms within " + okEvent.latency());

      HttpResponse<String> refused =
          fixture.send(
              HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
                  .header("x-api-key", "lp_sk_not_a_token")
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build());
      assertEquals(401, refused.statusCode());
      overhead(refused);
      fixture.nextEvent();

      HttpResponse<String> unknownProvider =
          fixture.send(
              HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/proxy/nope/v1/x"))
                  .header("x-api-key", fixture.token)
                  .build());
      assertEquals(404, unknownProvider.statusCode());
      overhead(unknownProvider);
      fixture.nextEvent();

      fixture.server.flushAudit();
      List<String> lines = Files.readAllLines(fixture.dataDir().resolve("audit.jsonl"));
      assertEquals(3, lines.size());
      JsonNode first = ProxyFixture.json(lines.get(0));
      assertTrue(first.get("overhead_ms").isNumber(), lines.get(0));
      assertEquals(
          0,
          okOverhead.compareTo(first.get("overhead_ms").decimalValue()),
          okOverhead + " in the header, " + first.get("overhead_ms") + " in the audit line");
    }
  }

  @Test
  void routesThatAreNotProxiedDoNotCarryIt() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      for (String path : List.of("/healthz", "/admin/tokens", "/me/proxy")) {
        HttpResponse<String> response =
            fixture.send(
                HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + path))
                    .header("authorization", "Bearer " + ProxyFixture.ADMIN_TOKEN)
                    .build());
        assertTrue(response.statusCode() < 500, path + ": " + response.statusCode());
        assertEquals(Optional.empty(), response.headers().firstValue(HEADER), path);
      }
    }
  }
}
