package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the example in the middle of a burst, then a restart on the same data
 * directory: the request counter is never below what the upstream actually received.
 */
class CrashTest {
  @TempDir Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Map<String, String> env(MockWebServer upstream) {
    return Map.of(
        "LLMPROXY_TIER_RATES", "free=0",
        "LLMPROXY_ANTHROPIC_BASE_URL", upstream.url("/").toString(),
        "LLMPROXY_ANTHROPIC_API_KEY", "sk-ant-shared");
  }

  @Test
  void noCounterIsBelowWhatTheUpstreamReceivedAfterAKill9() throws Exception {
    int port = ServerProcess.freePort();
    try (MockWebServer upstream = new MockWebServer()) {
      CountDownLatch tenArrived = new CountDownLatch(10);
      AtomicInteger received = new AtomicInteger();
      upstream.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              received.incrementAndGet();
              tenArrived.countDown();
              return new MockResponse.Builder()
                  .setHeader("content-type", "application/json")
                  .body(AnthropicFixtures.MESSAGE_JSON)
                  .bodyDelay(300, TimeUnit.MILLISECONDS) // keep requests in flight at the kill
                  .build();
            }
          });
      upstream.start();

      ServerProcess server = ServerProcess.start(dataDir, port, env(upstream));
      JsonNode token = server.issue("{\"user\":\"burst\"}");
      for (int i = 0; i < 60; i++) {
        http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/proxy/anthropic/v1/messages"))
                .header("x-api-key", token.get("token").asText())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                .build(),
            HttpResponse.BodyHandlers.discarding());
      }
      assertTrue(tenArrived.await(30, TimeUnit.SECONDS), "the burst never reached the upstream");
      server.process.destroyForcibly(); // SIGKILL: no shutdown hooks, no settling
      assertTrue(server.process.waitFor(30, TimeUnit.SECONDS));
      int upstreamSaw = received.get();

      try (ServerProcess restarted = ServerProcess.start(dataDir, port, env(upstream))) {
        HttpResponse<String> list =
            http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/admin/tokens"))
                    .header("Authorization", "Bearer " + ServerProcess.ADMIN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        long counted =
            ProxyFixture.json(list.body()).get("tokens").get(0).get("used_requests").asLong();
        assertTrue(
            counted >= upstreamSaw,
            "counter "
                + counted
                + " is below the "
                + upstreamSaw
                + " requests the upstream received");
      }
    }
  }
}
