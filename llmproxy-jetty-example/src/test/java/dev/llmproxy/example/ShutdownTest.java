package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Balance;
import dev.llmproxy.core.ledger.FileBudgetLedger;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real process in the middle of a stream: the stream in flight finishes within the
 * drain (or is cut after it), and either way the exchange is settled with its usage and written to
 * the audit log before the process exits, and the token's spend equals the audit line's cost.
 */
class ShutdownTest {
  private static final String START =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":"
          + "\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}\n\n";
  private static final String DELTA =
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"tick \"}}\n\n";
  private static final String END =
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":50}}"
          + "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  @TempDir Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A stream whose body arrives over about {@code seconds}, after its first event at once. */
  private static MockResponse slowStream(int deltas, double seconds) {
    String body = START + DELTA.repeat(deltas) + END;
    long perSecond = (long) ((body.length() - START.length()) / seconds);
    return new MockResponse.Builder()
        .setHeader("content-type", "text/event-stream")
        .body(body)
        .throttleBody(Math.max(1, perSecond / 10), 100, TimeUnit.MILLISECONDS)
        .build();
  }

  private ServerProcess start(MockWebServer upstream, int drainSeconds) throws Exception {
    return ServerProcess.start(
        dataDir,
        ServerProcess.freePort(),
        Map.of(
            "LLMPROXY_TIER_RATES",
            "free=0",
            "LLMPROXY_ANTHROPIC_BASE_URL",
            upstream.url("/").toString(),
            "LLMPROXY_ANTHROPIC_API_KEY",
            "sk-ant-shared",
            "LLMPROXY_SHUTDOWN_DRAIN_SECONDS",
            Integer.toString(drainSeconds)));
  }

  private InputStream openStream(ServerProcess server, String token) throws Exception {
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/proxy/anthropic/v1/messages"))
                .header("x-api-key", token)
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100,\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  /** Reads lines until the first event's data line: the stream is open and flowing. */
  private static BufferedReader afterFirstEvent(InputStream body) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null && !line.startsWith("data: ")) {
      // the event line
    }
    assertTrue(line != null, "the stream ended before its first event");
    return reader;
  }

  private JsonNode onlyAuditLine() throws IOException {
    List<String> lines = Files.readAllLines(dataDir.resolve("audit.jsonl"));
    assertEquals(1, lines.size(), "one exchange, one line: " + lines);
    return ProxyFixture.json(lines.get(0));
  }

  private Balance balanceOf(String tokenId) throws IOException {
    return FileBudgetLedger.balances(dataDir.resolve("ledger")).get(tokenId);
  }

  @Test
  void sigtermLetsAStreamInFlightFinishThenSettlesAndAuditsItBeforeExiting() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.enqueue(slowStream(20, 3));
      upstream.start();
      ServerProcess server = start(upstream, 30);
      JsonNode token = server.issue("{\"user\":\"term\"}");
      BufferedReader stream = afterFirstEvent(openStream(server, token.get("token").asText()));

      String other = server.issue("{\"user\":\"other\"}").get("id").asText();

      server.process.destroy(); // SIGTERM
      // While the stream drains, the database is still open: the host's own routes read and write
      // it (H2 must not close it from its own shutdown hook, ahead of the drain).
      HttpResponse<String> revoked =
          http.send(
              HttpRequest.newBuilder(URI.create(server.baseUrl() + "/admin/tokens/" + other))
                  .header("Authorization", "Bearer " + ServerProcess.ADMIN)
                  .DELETE()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(204, revoked.statusCode(), "revoking during the drain: " + revoked.body());
      StringBuilder rest = new StringBuilder();
      String line;
      while ((line = stream.readLine()) != null) { // a cut stream throws instead of ending
        rest.append(line).append('\n');
      }
      assertTrue(rest.toString().contains("message_stop"), "the stream ran to its end: " + rest);
      assertTrue(server.process.waitFor(30, TimeUnit.SECONDS), "the process exited");

      JsonNode audit = onlyAuditLine();
      assertEquals("ok", audit.get("outcome").asText());
      assertEquals(50, audit.get("usage").get("output_tokens").asLong());
      assertFalse(audit.get("estimated").asBoolean());
      BigDecimal cost = audit.get("cost_usd").decimalValue();
      assertEquals(0, cost.compareTo(new BigDecimal("0.00027")), "20 in + 50 out at haiku");
      assertEquals(
          new Balance(1, cost.movePointRight(9).longValueExact()),
          balanceOf(token.get("id").asText()),
          "spend equals the audit line; no hold left behind");
      assertTrue(server.log().contains("llmproxy"), server.log());
      assertFalse(server.log().contains("Database is already closed"), server.log());

      try (ServerProcess restarted = ServerProcess.start(dataDir, server.port, Map.of())) {
        JsonNode tokens = restarted.listTokens();
        for (JsonNode listed : tokens.get("tokens")) {
          assertEquals(
              listed.get("id").asText().equals(other),
              listed.get("revoked").asBoolean(),
              "the revocation made during the drain is on disk: " + tokens);
        }
      }
    }
  }

  @Test
  void sigtermCutsAStreamThatOutlastsTheDrainAndStillSettlesAndAuditsIt() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.enqueue(slowStream(200, 60));
      upstream.start();
      ServerProcess server = start(upstream, 1);
      JsonNode token = server.issue("{\"user\":\"cut\"}");
      BufferedReader stream = afterFirstEvent(openStream(server, token.get("token").asText()));

      long signalled = System.nanoTime();
      server.process.destroy(); // SIGTERM
      assertThrows(
          IOException.class,
          () -> {
            while (stream.readLine() != null) {
              // until the proxy cuts it: never a clean end
            }
          },
          "a stream cut by the shutdown must not end cleanly");
      assertTrue(server.process.waitFor(30, TimeUnit.SECONDS), "the process exited");
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled);
      assertTrue(seconds < 15, "exited " + seconds + " s after SIGTERM, drain 1 s");

      JsonNode audit = onlyAuditLine();
      assertEquals("upstream_error", audit.get("outcome").asText());
      assertTrue(audit.get("estimated").asBoolean(), "no final usage: the cost is an estimate");
      BigDecimal cost = audit.get("cost_usd").decimalValue();
      assertTrue(cost.signum() > 0, "the upstream worked: it is paid for");
      assertEquals(
          new Balance(1, cost.movePointRight(9).longValueExact()),
          balanceOf(token.get("id").asText()),
          "spend equals the audit line; no hold left behind");
    }
  }
}
