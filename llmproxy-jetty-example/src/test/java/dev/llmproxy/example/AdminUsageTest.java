package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/usage} sums the audit log: by user, token, model and team, since a time, and
 * its cost for a token is the token's {@code spent_usd}.
 */
class AdminUsageTest {
  private static HttpResponse<String> usage(ProxyFixture fixture, String query, String admin)
      throws Exception {
    return fixture.send(
        HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/admin/usage" + query))
            .header("authorization", "Bearer " + admin)
            .build());
  }

  private static Map<String, JsonNode> rows(ProxyFixture fixture, String query) throws Exception {
    HttpResponse<String> response = usage(fixture, query, ProxyFixture.ADMIN_TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    Map<String, JsonNode> rows = new HashMap<>();
    for (JsonNode row : ProxyFixture.json(response.body()).get("rows")) {
      rows.put(row.get("key").isNull() ? null : row.get("key").asText(), row);
    }
    return rows;
  }

  private static void call(ProxyFixture fixture, String token) throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(AnthropicFixtures.MESSAGE_JSON)
            .build());
    HttpResponse<String> response =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
                .header("x-api-key", token)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                .build());
    assertEquals(200, response.statusCode(), response.body());
    fixture.nextEvent();
  }

  @Test
  void usageIsSummedFromTheAuditLogByUserTokenModelAndTeam() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      JsonNode ann = fixture.issue("{\"user\":\"ann\",\"team\":\"platform\"}");
      JsonNode ben = fixture.issue("{\"user\":\"ben\",\"team\":\"platform\"}");
      call(fixture, ann.get("token").asText());
      call(fixture, ann.get("token").asText());
      call(fixture, ben.get("token").asText());
      fixture.server.flushAudit();

      JsonNode byUser = rows(fixture, "?group_by=user").get("ann");
      assertEquals(2, byUser.get("requests").asInt());
      JsonNode byTeam = rows(fixture, "?group_by=team").get("platform");
      assertEquals(3, byTeam.get("requests").asInt());
      JsonNode model = rows(fixture, "?group_by=model").get("claude-sonnet-4-5");
      assertEquals(3, model.get("requests").asInt());
      assertEquals(byTeam.get("input_tokens").asLong(), model.get("input_tokens").asLong());
      assertEquals(byTeam.get("cost_usd").decimalValue(), model.get("cost_usd").decimalValue());

      String annId = ann.get("id").asText();
      JsonNode byToken = rows(fixture, "?group_by=token").get(annId);
      BigDecimal audited = BigDecimal.ZERO;
      for (String line : Files.readAllLines(fixture.dataDir().resolve("audit.jsonl"))) {
        JsonNode entry = ProxyFixture.json(line);
        if (annId.equals(entry.path("token_id").asText())) {
          audited = audited.add(entry.get("cost_usd").decimalValue());
        }
      }
      assertEquals(0, audited.compareTo(byToken.get("cost_usd").decimalValue()));
      BigDecimal spent =
          new ExampleClient(ProxyFixture.ADMIN_TOKEN)
              .view(fixture.server, annId)
              .get("spent_usd")
              .decimalValue();
      assertEquals(0, spent.compareTo(byToken.get("cost_usd").decimalValue()), "= spent_usd");

      assertEquals(Map.of(), rows(fixture, "?group_by=user&since=2999-01-01T00:00:00Z"));
      // A line cut short by a crash, or one this version did not write, is not usage.
      Files.writeString(
          fixture.dataDir().resolve("audit.jsonl"),
          "{\"ts\":\"yesterday\",\"outcome\":\"ok\"}\n{\"ts\":\"2026-12-03T00:00:00Z\",\"out",
          java.nio.file.StandardOpenOption.APPEND);
      assertEquals(2, rows(fixture, "?group_by=user").get("ann").get("requests").asInt());
      assertEquals(400, usage(fixture, "?group_by=planet", ProxyFixture.ADMIN_TOKEN).statusCode());
      assertEquals(401, usage(fixture, "?group_by=user", ann.get("token").asText()).statusCode());
    }
  }
}
