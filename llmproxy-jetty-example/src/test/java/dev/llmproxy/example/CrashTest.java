package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
  private static final String ADMIN = "lp_admin_crash_test";

  @TempDir Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Process start(MockWebServer upstream, int port) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "serve")
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()));
    Map<String, String> env = builder.environment();
    env.put("LLMPROXY_PORT", Integer.toString(port));
    env.put("LLMPROXY_DATA_DIR", dataDir.toString());
    env.put("LLMPROXY_ADMIN_TOKEN", ADMIN);
    env.put("LLMPROXY_TIER_RATES", "free=0");
    env.put("LLMPROXY_ANTHROPIC_BASE_URL", upstream.url("/").toString());
    env.put("LLMPROXY_ANTHROPIC_API_KEY", "sk-ant-shared");
    Process process = builder.start();
    awaitHealthy(port, process);
    return process;
  }

  private void awaitHealthy(int port, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("server died: " + Files.readString(dataDir.resolve("server.log")));
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/healthz"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        process.waitFor(50, TimeUnit.MILLISECONDS); // bounded wait for the port to open
      }
    }
    throw new AssertionError(
        "server did not start: " + Files.readString(dataDir.resolve("server.log")));
  }

  @Test
  void noCounterIsBelowWhatTheUpstreamReceivedAfterAKill9() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
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

      Process server = start(upstream, port);
      HttpResponse<String> issued =
          http.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/admin/tokens"))
                  .header("Authorization", "Bearer " + ADMIN)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"burst\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode token = ProxyFixture.json(issued.body());
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
      server.destroyForcibly(); // SIGKILL: no shutdown hooks, no settling
      assertTrue(server.waitFor(30, TimeUnit.SECONDS));
      int upstreamSaw = received.get();

      Process restarted = start(upstream, port);
      try {
        HttpResponse<String> list =
            http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/admin/tokens"))
                    .header("Authorization", "Bearer " + ADMIN)
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
      } finally {
        restarted.destroy();
        restarted.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
