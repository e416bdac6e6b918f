package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Secret;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens, counters, spend and keys survive a restart on the same data directory. */
class RestartTest {
  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aRestartedServerKeepsTokensCountersAndSpend() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              return new MockResponse.Builder()
                  .setHeader("content-type", "application/json")
                  .body(AnthropicFixtures.MESSAGE_JSON)
                  .build();
            }
          });
      upstream.start();
      ExampleConfig config =
          ExampleConfig.fromEnvironment(
              Map.of(
                  "LLMPROXY_PORT",
                  "0",
                  "LLMPROXY_DATA_DIR",
                  dataDir.toString(),
                  "LLMPROXY_ANTHROPIC_BASE_URL",
                  upstream.url("/").toString(),
                  "LLMPROXY_ANTHROPIC_API_KEY",
                  "sk-ant-shared"));

      String token;
      String id;
      JsonNode before;
      try (ExampleServer first = ExampleServer.start(config, Secret.of("admin"), List.of())) {
        JsonNode issued = issue(first, "{\"user\":\"ann\",\"max_requests\":5,\"max_spend_usd\":1}");
        token = issued.get("token").asText();
        id = issued.get("id").asText();
        assertEquals(200, message(first, token));
        assertEquals(200, message(first, token));
        before = view(first, id);
      }
      assertEquals(2, before.get("used_requests").asLong());
      BigDecimal spentBefore = before.get("spent_usd").decimalValue();
      assertEquals(
          0, spentBefore.compareTo(new BigDecimal("0.000162")), "2 x (12 in + 3 out) sonnet");

      try (ExampleServer second = ExampleServer.start(config, Secret.of("admin"), List.of())) {
        JsonNode after = view(second, id);
        assertEquals(2, after.get("used_requests").asLong());
        assertEquals(0, after.get("spent_usd").decimalValue().compareTo(spentBefore));
        assertEquals(200, message(second, token), "the token survives the restart");
        assertEquals(3, view(second, id).get("used_requests").asLong());
      }
    }
  }

  private JsonNode issue(ExampleServer server, String body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer admin")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(201, response.statusCode(), response.body());
    return ProxyFixture.json(response.body());
  }

  private int message(ExampleServer server, String token) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/proxy/anthropic/v1/messages"))
                .header("x-api-key", token)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private JsonNode view(ExampleServer server, String id) throws Exception {
    HttpResponse<String> list =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer admin")
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
