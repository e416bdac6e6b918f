package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.testing.CuttableLink;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL becomes unreachable under load: every caller gets its 503 at once (not one after
 * another, each waiting out the pool's 2 s timeout), and the proxy recovers when it returns.
 */
class DatabaseOutageTest {
  @Test
  void fortyCallersAllGetTheir503WithinSecondsAndTheProxyRecovers() throws Exception {
    String url = System.getenv("LLMPROXY_TEST_POSTGRES_URL");
    Assumptions.assumeTrue(url != null && !url.isBlank(), "PostgreSQL test skipped (.ci/run)");
    URI target = URI.create(url.substring("jdbc:".length()));
    try (CuttableLink link = new CuttableLink(target.getHost(), target.getPort());
        ProxyFixture fixture =
            new ProxyFixture(
                Map.of(
                    "LLMPROXY_TIER_RATES",
                    "free=0",
                    "LLMPROXY_JDBC_URL",
                    url.replace(":" + target.getPort() + "/", ":" + link.port() + "/")))) {
      String fresh = fixture.issueToken("bob"); // resolved from the database on first use
      link.cut();

      long start = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        calls.add(
            fixture.http.sendAsync(request(fixture, fresh), HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> call : calls) {
        HttpResponse<String> response = call.get(60, TimeUnit.SECONDS);
        assertEquals(503, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"api_error\""), response.body());
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertTrue(seconds < 5, "the last 503 came after " + seconds + " s");
      assertEquals(0, fixture.upstream.getRequestCount(), "nothing forwarded while closed");

      link.restore();
      fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline) {
        status = fixture.send(request(fixture, fresh)).statusCode();
      }
      assertEquals(200, status, "recovered without a restart");
    }
  }

  private static HttpRequest request(ProxyFixture fixture, String token) {
    return HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-haiku-4-5\"}"))
        .build();
  }
}
