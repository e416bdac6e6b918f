package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} scraped and parsed as Prometheus text after real exchanges, behind the admin
 * token and free of users, tokens and keys; {@code GET /admin/audit} answers the last audit lines,
 * filtered.
 */
class MetricsAndAuditTest {
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)(?: \\d+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  record Sample(String name, Map<String, String> labels, double value) {}

  /** Parses Prometheus text format; fails on any line that is neither a comment nor a sample. */
  static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not Prometheus text: " + line);
      Map<String, String> labels = new HashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        int end = 0;
        while (l.find() && l.start() == end) {
          labels.put(l.group(1), l.group(2));
          end = l.end();
        }
        assertEquals(m.group(2).length(), end, "bad labels: " + line);
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return samples;
  }

  private static HttpResponse<String> get(ProxyFixture fixture, String path, String bearer)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + path));
    if (bearer != null) {
      request.header("authorization", "Bearer " + bearer);
    }
    return fixture.send(request.build());
  }

  private static void message(ProxyFixture fixture, String token, int upstreamStatus)
      throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .code(upstreamStatus)
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
    assertEquals(upstreamStatus, response.statusCode(), response.body());
    fixture.nextEvent();
  }

  @Test
  void metricsAreScrapedAsPrometheusTextBehindTheAdminToken() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      message(fixture, fixture.token, 200);
      message(fixture, fixture.token, 500);

      assertEquals(401, get(fixture, "/metrics", null).statusCode());
      assertEquals(401, get(fixture, "/metrics", fixture.token).statusCode(), "a proxy token");
      HttpResponse<String> scrape = get(fixture, "/metrics", ProxyFixture.ADMIN_TOKEN);
      assertEquals(200, scrape.statusCode());
      assertTrue(
          scrape.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
          scrape.headers().toString());
      List<Sample> samples = parse(scrape.body());

      Sample ok =
          samples.stream()
              .filter(s -> s.name().equals("gen_ai_client_operation_duration_seconds_count"))
              .filter(s -> "ok".equals(s.labels().get("outcome")))
              .findFirst()
              .orElseThrow(() -> new AssertionError(scrape.body()));
      assertEquals(1.0, ok.value());
      assertEquals("anthropic", ok.labels().get("gen_ai_system"));
      assertEquals("claude-sonnet-4-5", ok.labels().get("gen_ai_request_model"));
      assertEquals("200", ok.labels().get("status"));
      assertTrue(
          samples.stream()
              .anyMatch(
                  s ->
                      s.name().equals("llmproxy_upstream_errors_total")
                          && "response_5xx".equals(s.labels().get("kind"))
                          && s.value() == 1.0),
          scrape.body());
      assertTrue(
          samples.stream()
              .anyMatch(
                  s ->
                      s.name().equals("gen_ai_client_token_usage_tokens_sum")
                          && "input".equals(s.labels().get("gen_ai_token_type"))
                          && s.value() == 12.0),
          scrape.body());
      assertTrue(samples.stream().anyMatch(s -> s.name().equals("llmproxy_exchanges_active")));
      assertTrue(
          samples.stream().anyMatch(s -> s.name().startsWith("llmproxy_overhead_seconds_bucket")));
      for (String secret :
          List.of("alice", fixture.token, ProxyFixture.UPSTREAM_KEY, ProxyFixture.ADMIN_TOKEN)) {
        assertFalse(scrape.body().contains(secret), secret);
      }
    }
  }

  @Test
  void theAuditEndpointAnswersTheLastLinesNewestFirstFiltered() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      String bob = fixture.issueToken("bob");
      message(fixture, fixture.token, 200);
      message(fixture, bob, 200);
      message(fixture, fixture.token, 500);

      assertEquals(401, get(fixture, "/admin/audit", null).statusCode());
      assertEquals(
          400, get(fixture, "/admin/audit?limit=0", ProxyFixture.ADMIN_TOKEN).statusCode());
      JsonNode all =
          ProxyFixture.json(get(fixture, "/admin/audit", ProxyFixture.ADMIN_TOKEN).body())
              .get("exchanges");
      assertEquals(3, all.size());
      assertEquals(500, all.get(0).get("status").asInt(), "newest first");
      JsonNode alices =
          ProxyFixture.json(
                  get(fixture, "/admin/audit?user=alice&limit=1", ProxyFixture.ADMIN_TOKEN).body())
              .get("exchanges");
      assertEquals(1, alices.size());
      assertEquals("alice", alices.get(0).get("principal").asText());
      assertEquals(500, alices.get(0).get("status").asInt());
      JsonNode failed =
          ProxyFixture.json(
                  get(fixture, "/admin/audit?outcome=upstream_error", ProxyFixture.ADMIN_TOKEN)
                      .body())
              .get("exchanges");
      assertEquals(1, failed.size());
      assertFalse(all.toString().contains(fixture.token), "no token value in the audit lines");
    }
  }
}
