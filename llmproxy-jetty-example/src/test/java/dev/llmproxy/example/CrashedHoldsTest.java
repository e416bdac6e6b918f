package dev.llmproxy.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the example while a stream holds part of a token's budget, then a restart: the
 * hold never blocks the budget, it is booked at its estimate and recorded in the audit log as
 * reclaimed and estimated, and the token's {@code spent_usd} and {@code used_requests} equal what
 * its audit lines say. With the file ledger and with PostgreSQL.
 */
class CrashedHoldsTest {
  private static final String STREAM_REQUEST =
      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":1000,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  @TempDir Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aHoldLeftByAKill9IsReclaimedOnRestartWithTheFileLedger() throws Exception {
    crashMidStreamAndRestart(Map.of());
  }

  @Test
  void aHoldLeftByAKill9IsReclaimedOnRestartWithPostgres() throws Exception {
    String postgres = System.getenv("LLMPROXY_TEST_POSTGRES_URL");
    Assumptions.assumeTrue(
        postgres != null && !postgres.isBlank(),
        "LLMPROXY_TEST_POSTGRES_URL is not set: PostgreSQL test skipped (.ci/run sets it)");
    crashMidStreamAndRestart(Map.of("LLMPROXY_JDBC_URL", postgres));
  }

  private void crashMidStreamAndRestart(Map<String, String> extra) throws Exception {
    int port = ServerProcess.freePort();
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start();
      Map<String, String> env = new HashMap<>(extra);
      env.put("LLMPROXY_TIER_RATES", "free=0");
      env.put("LLMPROXY_ANTHROPIC_BASE_URL", upstream.url("/").toString());
      env.put("LLMPROXY_ANTHROPIC_API_KEY", "sk-ant-shared");
      // A small cap: while the crashed hold stayed open, the next request could not fit.
      String token;
      String tokenId;
      ScriptedStream stream = ScriptedStream.of(AnthropicFixtures.STREAM_EVENTS);
      ServerProcess server = ServerProcess.start(dataDir, port, env);
      try {
        JsonNode issued = server.issue("{\"user\":\"crash\",\"max_spend_usd\":0.02}");
        token = issued.get("token").asText();
        tokenId = issued.get("id").asText();
        upstream.enqueue(stream.response());
        HttpResponse<InputStream> response =
            http.send(request(port, token), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        String first = AnthropicFixtures.STREAM_EVENTS.get(0);
        assertEquals(
            first,
            new String(response.body().readNBytes(first.getBytes(UTF_8).length), UTF_8),
            "the stream is under way, its hold placed");
      } finally {
        server.process.destroyForcibly(); // SIGKILL: no shutdown hook, nothing settled
        assertTrue(server.process.waitFor(30, TimeUnit.SECONDS));
        stream.release(); // its writes now fail: the upstream's thread ends
      }

      try (ServerProcess restarted = ServerProcess.start(dataDir, port, env)) {
        Path audit = dataDir.resolve("audit.jsonl");
        JsonNode reclaimed =
            awaitAudit(audit, tokenId, lines -> lines.size() == 1).get(0); // written at start
        assertTrue(reclaimed.path("reclaimed").asBoolean(), reclaimed.toString());
        assertTrue(reclaimed.get("estimated").asBoolean(), reclaimed.toString());
        assertEquals(502, reclaimed.get("status").asInt());
        assertEquals("claude-haiku-4-5", reclaimed.get("model").asText());
        assertTrue(reclaimed.get("cost_usd").decimalValue().signum() > 0, reclaimed.toString());

        upstream.enqueue(
            new MockResponse.Builder()
                .setHeader("content-type", "application/json")
                .body(AnthropicFixtures.MESSAGE_JSON)
                .build());
        HttpResponse<String> after =
            http.send(request(port, token), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, after.statusCode(), "the crashed hold no longer blocks: " + after.body());

        List<JsonNode> lines = awaitAudit(audit, tokenId, found -> found.size() == 2);
        assertEquals(lines.get(1).get("path"), reclaimed.get("path"), "recorded as it was");
        assertEquals(lines.get(1).get("method"), reclaimed.get("method"));
        assertEquals(lines.get(1).get("provider"), reclaimed.get("provider"));
        BigDecimal audited = BigDecimal.ZERO;
        for (JsonNode line : lines) {
          audited = audited.add(line.get("cost_usd").decimalValue());
        }
        JsonNode view = tokenView(port, tokenId);
        assertEquals(0, view.get("spent_usd").decimalValue().compareTo(audited), view.toString());
        assertEquals(lines.size(), view.get("used_requests").asInt(), view.toString());
      }
    }
  }

  private static HttpRequest request(int port, String token) {
    return HttpRequest.newBuilder(
            URI.create("http://localhost:" + port + "/proxy/anthropic/v1/messages"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(STREAM_REQUEST))
        .build();
  }

  /**
   * The token's audit lines once {@code done} holds for them. Another process writes the file (the
   * reclaimed line at its first heartbeat, the others batched): no event reaches the test, so it
   * watches the file, with a deadline.
   */
  private static List<JsonNode> awaitAudit(
      Path audit, String tokenId, java.util.function.Predicate<List<JsonNode>> done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<JsonNode> lines = auditLines(audit, tokenId);
    while (!done.test(lines)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("audit lines of " + tokenId + " never as expected: " + lines);
      }
      TimeUnit.MILLISECONDS.sleep(50); // polling a file another process writes
      lines = auditLines(audit, tokenId);
    }
    return lines;
  }

  private static List<JsonNode> auditLines(Path audit, String tokenId) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    if (!Files.exists(audit)) {
      return lines;
    }
    for (String line : Files.readAllLines(audit)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode entry = ProxyFixture.json(line);
      if (tokenId.equals(entry.path("token_id").asText())) {
        lines.add(entry);
      }
    }
    return lines;
  }

  private JsonNode tokenView(int port, String id) throws Exception {
    HttpResponse<String> list =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/admin/tokens"))
                .header("Authorization", "Bearer " + ServerProcess.ADMIN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    for (JsonNode token : ProxyFixture.json(list.body()).get("tokens")) {
      if (token.get("id").asText().equals(id)) {
        return token;
      }
    }
    throw new AssertionError("no token " + id);
  }
}
