package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Secret;
import java.math.BigDecimal;
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
  private final ExampleClient client = new ExampleClient("admin");

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
        JsonNode issued =
            client.issue(first, "{\"user\":\"ann\",\"max_requests\":5,\"max_spend_usd\":1}");
        token = issued.get("token").asText();
        id = issued.get("id").asText();
        assertEquals(200, client.send(first, token));
        assertEquals(200, client.send(first, token));
        before = client.view(first, id);
      }
      assertEquals(2, before.get("used_requests").asLong());
      BigDecimal spentBefore = before.get("spent_usd").decimalValue();
      assertEquals(
          0, spentBefore.compareTo(new BigDecimal("0.000162")), "2 x (12 in + 3 out) sonnet");

      try (ExampleServer second = ExampleServer.start(config, Secret.of("admin"), List.of())) {
        JsonNode after = client.view(second, id);
        assertEquals(2, after.get("used_requests").asLong());
        assertEquals(0, after.get("spent_usd").decimalValue().compareTo(spentBefore));
        assertEquals(200, client.send(second, token), "the token survives the restart");
        assertEquals(3, client.view(second, id).get("used_requests").asLong());
      }
    }
  }
}
