package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * Budget periods and team caps through the example: a daily cap starts again at midnight in the
 * configured zone, its 429 says when, {@code GET /admin/tokens} and {@code GET /api/v1/me/usage}
 * show the period's usage and reset, and two tokens of one team can never together pass its cap.
 */
class BudgetPeriodsAndTeamsTest {
  private static void answerOk(ProxyFixture fixture) {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(AnthropicFixtures.MESSAGE_JSON)
            .build());
  }

  private static HttpResponse<String> send(ProxyFixture fixture, String token) throws Exception {
    return fixture.send(
        HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
            .build());
  }

  private static JsonNode usage(ProxyFixture fixture, String token) throws Exception {
    HttpResponse<String> response =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/api/v1/me/usage"))
                .header("authorization", "Bearer " + token)
                .build());
    assertEquals(200, response.statusCode(), response.body());
    return ProxyFixture.json(response.body());
  }

  @Test
  void aDailyCapResetsAtMidnightInTheBudgetZone() throws Exception {
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of("LLMPROXY_TIER_RATES", "free=0", "LLMPROXY_BUDGET_ZONE", "Europe/Berlin"))) {
      fixture.clock.set(Instant.parse("2026-12-03T22:59:00Z")); // 23:59 in Berlin
      JsonNode issued =
          fixture.issue("{\"user\":\"daily\",\"max_requests\":1,\"budget_period\":\"daily\"}");
      String token = issued.get("token").asText();
      assertEquals("daily", issued.get("budget_period").asText());
      assertEquals("2026-12-03T23:00:00Z", issued.get("resets_at").asText());

      answerOk(fixture);
      assertEquals(200, send(fixture, token).statusCode());
      HttpResponse<String> refused = send(fixture, token);
      assertEquals(429, refused.statusCode(), refused.body());
      assertEquals("60", refused.headers().firstValue("retry-after").orElseThrow());

      JsonNode mine = usage(fixture, token).get("caps").get(0);
      assertEquals("token", mine.get("account").asText());
      assertEquals("daily", mine.get("period").asText());
      assertEquals("2026-12-03T23:00:00Z", mine.get("resets_at").asText());
      assertEquals(1, mine.get("requests").get("used").asInt());
      assertEquals(0, mine.get("requests").get("remaining").asInt());

      fixture.clock.set(Instant.parse("2026-12-03T23:00:00Z")); // midnight in Berlin
      JsonNode view =
          new ExampleClient(ProxyFixture.ADMIN_TOKEN)
              .view(fixture.server, issued.get("id").asText());
      assertEquals(0, view.get("used_requests").asInt(), "a new day: " + view);
      assertEquals("2026-12-04T23:00:00Z", view.get("resets_at").asText());
      answerOk(fixture);
      assertEquals(200, send(fixture, token).statusCode());
    }
  }

  @Test
  void twoTokensOfOneTeamTogetherStopAtTheTeamsCap() throws Exception {
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of(
                "LLMPROXY_TIER_RATES", "free=0",
                "LLMPROXY_TEAM_BUDGETS", "{\"platform\":{\"max_requests\":2}}"))) {
      String a = fixture.issue("{\"user\":\"ann\",\"team\":\"platform\"}").get("token").asText();
      JsonNode issuedB =
          fixture.issue("{\"user\":\"ben\",\"team\":\"platform\",\"max_requests\":5}");
      assertEquals("platform", issuedB.get("team").asText());
      String b = issuedB.get("token").asText();
      answerOk(fixture);
      answerOk(fixture);
      assertEquals(200, send(fixture, a).statusCode());
      assertEquals(200, send(fixture, b).statusCode());
      HttpResponse<String> refused = send(fixture, a);
      assertEquals(429, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("team platform"), refused.body());
      assertEquals(2, fixture.upstream.getRequestCount(), "the team's cap held");

      JsonNode caps = usage(fixture, b).get("caps");
      assertEquals(1, caps.get(0).get("requests").get("used").asInt(), "ben's own");
      assertEquals(4, caps.get(0).get("requests").get("remaining").asInt());
      JsonNode team = caps.get(1);
      assertEquals("platform", team.get("team").asText());
      assertEquals(2, team.get("requests").get("used").asInt());
      assertEquals(0, team.get("requests").get("remaining").asInt());
      assertNull(team.get("resets_at").textValue(), "lifetime caps never reset");
    }
  }

  @Test
  void anInvalidPeriodIsABadRequestNamingTheField() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      HttpResponse<String> refused =
          new ExampleClient(ProxyFixture.ADMIN_TOKEN)
              .tryIssue(fixture.server, "{\"user\":\"x\",\"budget_period\":\"fortnightly\"}");
      assertEquals(400, refused.statusCode());
      assertTrue(refused.body().contains("budget_period"), refused.body());
    }
  }
}
