package dev.llmproxy.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * Tokens per minute through the example: the tier's rate and the token's own, the smaller applying;
 * the estimate is held at admission and corrected to the upstream's reported usage at commit;
 * answers carry {@code X-RateLimit-Limit-Tokens} and {@code X-RateLimit-Remaining-Tokens}; a
 * refusal is a 429 {@code rate_limit_error} with {@code Retry-After}.
 */
class TokenRatesTest {
  private static HttpResponse<String> send(ProxyFixture fixture, String token, String body)
      throws Exception {
    return fixture.send(
        HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static long header(HttpResponse<String> response, String name) {
    return Long.parseLong(
        response
            .headers()
            .firstValue(name)
            .orElseThrow(() -> new AssertionError(name + " missing: " + response.headers().map())));
  }

  @Test
  void theEstimateIsHeldThenCorrectedAndAnOversizedRequestWaitsForTheNextMinute() throws Exception {
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of("LLMPROXY_TIER_RATES", "free=0", "LLMPROXY_TIER_TOKEN_RATES", "free=300"))) {
      JsonNode issued = fixture.issue("{\"user\":\"tpm\",\"max_tokens_per_minute\":250}");
      assertEquals(250, issued.get("max_tokens_per_minute").asInt());
      String token = issued.get("token").asText();
      long estimate = AnthropicFixtures.REQUEST_JSON.getBytes(UTF_8).length + 64; // body + max

      fixture.upstream.enqueue(
          new MockResponse.Builder()
              .setHeader("content-type", "application/json")
              .body(AnthropicFixtures.MESSAGE_JSON)
              .build());
      HttpResponse<String> first = send(fixture, token, AnthropicFixtures.REQUEST_JSON);
      assertEquals(200, first.statusCode(), first.body());
      assertEquals(250, header(first, "x-ratelimit-limit-tokens"), "the token's, below its tier's");
      assertEquals(250 - estimate, header(first, "x-ratelimit-remaining-tokens"), "held whole");
      fixture.nextEvent(); // settled: the hold is now the reported 12 + 3 tokens

      String big =
          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":4000,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
      HttpResponse<String> refused = send(fixture, token, big);
      assertEquals(429, refused.statusCode(), refused.body());
      assertEquals(
          "rate_limit_error", ProxyFixture.json(refused.body()).get("error").get("type").asText());
      assertTrue(refused.body().contains("tokens per minute"), refused.body());
      assertEquals(55, header(refused, "retry-after"), "to the end of the minute");
      assertEquals(250 - 15, header(refused, "x-ratelimit-remaining-tokens"), "corrected");
      assertEquals(1, fixture.upstream.getRequestCount(), "the refused one was not forwarded");

      fixture.clock.advance(java.time.Duration.ofSeconds(55));
      fixture.upstream.enqueue(
          new MockResponse.Builder()
              .setHeader("content-type", "application/json")
              .body(AnthropicFixtures.MESSAGE_JSON)
              .build());
      HttpResponse<String> later = send(fixture, token, big);
      assertEquals(200, later.statusCode(), "a new minute, all of it for the big request");
      assertEquals(0, header(later, "x-ratelimit-remaining-tokens"));
    }
  }
}
