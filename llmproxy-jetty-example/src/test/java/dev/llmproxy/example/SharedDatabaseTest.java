package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.api.Secret;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.h2.tools.Server;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several example instances on one database; and the database going away and coming back. */
class SharedDatabaseTest {
  @TempDir Path dirA;
  @TempDir Path dirB;
  private final ExampleClient client = new ExampleClient("admin");
  private final HttpClient http = client.http();

  private static Dispatcher ok() {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(AnthropicFixtures.MESSAGE_JSON)
            .build();
      }
    };
  }

  private static ExampleConfig config(Path dataDir, String jdbcUrl, MockWebServer upstream) {
    Map<String, String> env = new HashMap<>();
    env.put("LLMPROXY_PORT", "0");
    env.put("LLMPROXY_DATA_DIR", dataDir.toString());
    env.put("LLMPROXY_JDBC_URL", jdbcUrl);
    env.put("LLMPROXY_TIER_RATES", "free=0");
    env.put("LLMPROXY_ANTHROPIC_BASE_URL", upstream.url("/").toString());
    env.put("LLMPROXY_ANTHROPIC_API_KEY", "sk-ant-shared");
    return ExampleConfig.fromEnvironment(env);
  }

  @Test
  void twoInstancesOnOnePostgresSendExactlyMaxRequests() throws Exception {
    String postgres = System.getenv("LLMPROXY_TEST_POSTGRES_URL");
    Assumptions.assumeTrue(
        postgres != null && !postgres.isBlank(),
        "LLMPROXY_TEST_POSTGRES_URL is not set: PostgreSQL test skipped (.ci/run sets it)");
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.setDispatcher(ok());
      upstream.start();
      try (ExampleServer a =
              ExampleServer.start(config(dirA, postgres, upstream), Secret.of("admin"), List.of());
          ExampleServer b =
              ExampleServer.start(
                  config(dirB, postgres, upstream), Secret.of("admin"), List.of())) {
        String token =
            client.issue(a, "{\"user\":\"shared\",\"max_requests\":20}").get("token").asText();
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          ExampleServer server = i % 2 == 0 ? a : b;
          futures.add(
              http.sendAsync(
                  ExampleClient.message(server, token), HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> future : futures) {
          int status = future.get().statusCode();
          ok += status == 200 ? 1 : 0;
          refused += status == 429 ? 1 : 0;
        }
        assertEquals(20, ok);
        assertEquals(180, refused);
        assertEquals(20, upstream.getRequestCount());
      }
    }
  }

  @Test
  void aDatabaseOutageFailsClosedAndRecoversWithoutARestart() throws Exception {
    Server database = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    int port = database.getPort();
    String url =
        "jdbc:h2:tcp://localhost:" + port + "/mem:outage;MODE=PostgreSQL;DB_CLOSE_DELAY=-1";
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.setDispatcher(ok());
      upstream.start();
      try (ExampleServer server =
          ExampleServer.start(config(dirA, url, upstream), Secret.of("admin"), List.of())) {
        String token = client.issue(server, "{\"user\":\"ops\"}").get("token").asText();
        assertEquals(
            200,
            http.send(ExampleClient.message(server, token), HttpResponse.BodyHandlers.ofString())
                .statusCode());

        database.stop(); // the database goes away (and, in memory, loses nothing we rely on below)
        HttpResponse<String> down =
            http.send(
                ExampleClient.message(server, "lp_sk_never-cached-token"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, down.statusCode(), down.body());
        assertEquals("api_error", ProxyFixture.json(down.body()).get("error").get("type").asText());
        int sent = upstream.getRequestCount();
        HttpResponse<String> ledgerDown =
            http.send(ExampleClient.message(server, token), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ledgerDown.statusCode(), "the token is cached, the ledger is not");
        assertEquals(sent, upstream.getRequestCount(), "nothing forwarded while failing closed");

        database =
            Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists").start();
        // A fresh in-memory DB. A pooled connection from before the restart that the ledger's
        // heartbeat used moments ago is handed out unchecked and fails once; the pool drops it.
        for (int attempt = 1; ; attempt++) {
          try {
            dev.llmproxy.jdbc.JdbcSchema.migrate(server.state().database);
            break;
          } catch (dev.llmproxy.api.StoreUnavailableException e) {
            if (attempt == 3) {
              throw e;
            }
          }
        }
        // Callers are refused at once for a moment after the outage's last failure (fail fast);
        // the first one let through finds the database back.
        HttpResponse<String> issued = client.tryIssue(server, "{\"user\":\"ops2\"}");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (issued.statusCode() == 503 && System.nanoTime() < deadline) {
          java.util.concurrent.TimeUnit.MILLISECONDS.sleep(50); // a retry interval, not a sync
          issued = client.tryIssue(server, "{\"user\":\"ops2\"}");
        }
        assertEquals(201, issued.statusCode(), issued.body());
        String fresh = ProxyFixture.json(issued.body()).get("token").asText();
        assertEquals(
            200,
            http.send(ExampleClient.message(server, fresh), HttpResponse.BodyHandlers.ofString())
                .statusCode(),
            "recovered by itself, no restart");
      }
    } finally {
      database.stop();
    }
  }
}
