package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Secret;
import dev.llmproxy.core.tokens.TokenSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --demo}: the built-in fake upstream answers through the real proxy. */
class DemoModeTest {
  @TempDir Path dataDir;

  @Test
  void aNewcomerSeesAStreamedReplyWithoutAKeyOrNetwork() throws Exception {
    try (DemoUpstream demo = DemoUpstream.start()) {
      ExampleConfig config =
          ExampleConfig.fromEnvironment(
                  Map.of("LLMPROXY_PORT", "0", "LLMPROXY_DATA_DIR", dataDir.toString()))
              .withAnthropic(demo.baseUrl(), DemoUpstream.DEMO_KEY);
      try (ExampleServer server = ExampleServer.start(config, Secret.of("admin"), List.of())) {
        String token = server.tokens().issue(TokenSpec.user("demo", "free")).token().reveal();
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create(server.baseUrl() + "/proxy/anthropic/v1/messages"))
                        .header("x-api-key", token)
                        .header("content-type", "application/json")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"claude-demo\",\"max_tokens\":64,\"stream\":true,"
                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hello proxy\"}]}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"text\":\" hello\""), response.body());
        assertTrue(response.body().contains("event: message_stop"), response.body());
      }
    }
  }
}
