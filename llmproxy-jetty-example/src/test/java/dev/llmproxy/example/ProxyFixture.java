package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Secret;
import dev.llmproxy.testing.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;

/**
 * A running example server (real Jetty on a random port, configured exactly as {@code serve}) in
 * front of a MockWebServer upstream, with an issued proxy token and a queue of the events the proxy
 * published.
 */
final class ProxyFixture implements AutoCloseable {
  static final String UPSTREAM_KEY = "sk-ant-upstream-secret-key-0123456789";
  static final String OPENAI_KEY = "sk-proj-upstream-openai-key-0123456789";
  static final String ADMIN_TOKEN = "lp_admin_test_admin_token_value";
  static final ObjectMapper JSON = new ObjectMapper();

  final MockWebServer upstream = new MockWebServer();
  final ExampleServer server;
  final String token;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();

  /** Five seconds into the current minute, so a test's rate window cannot roll by itself. */
  final ManualClock clock =
      new ManualClock(
          java.time.Instant.now()
              .truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
              .plusSeconds(5));

  private final Path dataDir;

  ProxyFixture() throws Exception {
    this(Map.of());
  }

  /** {@code env} overrides the fixture's environment, e.g. a small body limit. */
  ProxyFixture(Map<String, String> env) throws Exception {
    this(upstreamBase -> env);
  }

  /** {@code env} computes overrides from the upstream's base URL (it ends with {@code /}). */
  ProxyFixture(java.util.function.Function<String, Map<String, String>> env) throws Exception {
    upstream.start();
    dataDir = Files.createTempDirectory("llmproxy-test");
    Map<String, String> environment = new HashMap<>();
    environment.put("LLMPROXY_PORT", "0");
    environment.put("LLMPROXY_DATA_DIR", dataDir.toString());
    environment.put("LLMPROXY_ANTHROPIC_BASE_URL", upstream.url("/").toString());
    environment.put("LLMPROXY_ANTHROPIC_API_KEY", UPSTREAM_KEY);
    environment.put("LLMPROXY_OPENAI_BASE_URL", upstream.url("/").toString());
    environment.put("LLMPROXY_OPENAI_API_KEY", OPENAI_KEY);
    // -Dllmproxy.relay=nonblocking runs the suite over the other relay.
    environment.put(
        "LLMPROXY_RELAY", System.getProperty("llmproxy.relay", ExampleConfig.DEFAULT_RELAY));
    environment.putAll(env.apply(upstream.url("/").toString()));
    server =
        ExampleServer.start(
            ExampleConfig.fromEnvironment(environment),
            Secret.of(ADMIN_TOKEN),
            List.of(events::add),
            clock);
    token = issueToken("alice");
  }

  /** Issues a proxy token through the admin endpoint, as an operator would. */
  String issueToken(String user) throws IOException, InterruptedException {
    return issue("{\"user\":\"" + user + "\"}").get("token").asText();
  }

  /** Issues a token for {@code body} of {@code POST /admin/tokens}; returns the 201 JSON. */
  JsonNode issue(String body) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(201, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  /** Flips the last byte of every stored key ciphertext, as disk corruption or tampering would. */
  void corruptStoredKeys() throws java.sql.SQLException {
    try (java.sql.Connection c = server.state().database.getConnection();
        java.sql.PreparedStatement select =
            c.prepareStatement("SELECT user_id, provider, ciphertext FROM llmproxy_user_keys");
        java.sql.ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        byte[] ciphertext = rows.getBytes(3);
        ciphertext[ciphertext.length - 1] ^= 1;
        try (java.sql.PreparedStatement update =
            c.prepareStatement(
                "UPDATE llmproxy_user_keys SET ciphertext = ? WHERE user_id = ? AND provider = ?")) {
          update.setBytes(1, ciphertext);
          update.setString(2, rows.getString(1));
          update.setString(3, rows.getString(2));
          update.executeUpdate();
        }
      }
    }
  }

  /** The fixture's data directory. */
  Path dataDir() {
    return dataDir;
  }

  /** {@code http://localhost:PORT/proxy/anthropic}. */
  String anthropicBase() {
    return server.baseUrl() + "/proxy/anthropic";
  }

  /** A request builder for {@code path} below the Anthropic route, with the proxy token. */
  HttpRequest.Builder anthropic(String path) {
    return HttpRequest.newBuilder(URI.create(anthropicBase() + path))
        .timeout(Duration.ofSeconds(30))
        .header("x-api-key", token);
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The next event the proxy published; fails the test if none arrives within 10 s. */
  ProxyEvent nextEvent() throws InterruptedException {
    ProxyEvent event = events.poll(10, TimeUnit.SECONDS);
    if (event == null) {
      throw new AssertionError("no proxy event within 10 s");
    }
    return event;
  }

  static JsonNode json(String body) throws IOException {
    return JSON.readTree(body);
  }

  @Override
  public void close() throws Exception {
    server.close();
    upstream.close();
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
