package dev.llmproxy.example;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Jetty example as a real process ({@code java ... Main serve}), so a test can SIGTERM or
 * SIGKILL it: its output goes to {@code server.log} in its data directory.
 */
final class ServerProcess implements AutoCloseable {
  static final String ADMIN = "lp_admin_process_test";

  final Process process;
  final int port;
  private final Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServerProcess(Process process, int port, Path dataDir) {
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
  }

  /** A free port, for a server that must come back on the same one after a restart. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Starts {@code serve} on {@code port} and waits until {@code /healthz} answers. */
  static ServerProcess start(Path dataDir, int port, Map<String, String> env) throws Exception {
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
    Map<String, String> environment = builder.environment();
    environment.put("LLMPROXY_PORT", Integer.toString(port));
    environment.put("LLMPROXY_DATA_DIR", dataDir.toString());
    environment.put("LLMPROXY_ADMIN_TOKEN", ADMIN);
    environment.putAll(env);
    ServerProcess server = new ServerProcess(builder.start(), port, dataDir);
    server.awaitHealthy();
    return server;
  }

  private void awaitHealthy() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("server died: " + log());
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        process.waitFor(50, TimeUnit.MILLISECONDS); // bounded wait for the port to open
      }
    }
    throw new AssertionError("server did not start: " + log());
  }

  String baseUrl() {
    return "http://localhost:" + port;
  }

  /** Issues a token through the admin API; returns the 201 JSON. */
  com.fasterxml.jackson.databind.JsonNode issue(String body) throws Exception {
    HttpResponse<String> issued =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer " + ADMIN)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (issued.statusCode() != 201) {
      throw new AssertionError("token not issued: " + issued.body());
    }
    return ProxyFixture.json(issued.body());
  }

  /** {@code GET /admin/tokens}: the 200 JSON. */
  com.fasterxml.jackson.databind.JsonNode listTokens() throws Exception {
    HttpResponse<String> list =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer " + ADMIN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (list.statusCode() != 200) {
      throw new AssertionError("tokens not listed: " + list.body());
    }
    return ProxyFixture.json(list.body());
  }

  /** What the server printed so far. */
  String log() throws IOException {
    return Files.readString(dataDir.resolve("server.log"));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
