package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmproxy.example.ListeningSockets.Listener;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} as an operator runs it, in a process of its own: every file it keeps is the owner's
 * alone, and nothing it listens on is reachable from another machine.
 */
@Timeout(180)
class NetworkAndFilesTest {
  private static final String ADMIN = "lp_admin_network_and_files_test";

  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();

  private Map<String, String> env() {
    return Map.of(
        "LLMPROXY_PORT",
        "0",
        "LLMPROXY_DATA_DIR",
        dataDir.toString(),
        "LLMPROXY_ADMIN_TOKEN",
        ADMIN);
  }

  @Test
  void everyFileInTheDataDirectoryIsOwnerOnlyAfterStartATokenAndARestart() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    try (ServeProcess serve = ServeProcess.start(env(), "serve")) {
      assertOwnerOnly("after start", "llmproxy.mv.db", "llmproxy.lock.db", "master-keyset.json");
      assertEquals(201, issue(serve, "{\"user\":\"alice\"}").statusCode());
      // The CLI reaches the running server's database through H2's auto-server, on loopback.
      ServeProcess.Result cli = ServeProcess.run(env(), "tokens", "issue", "--user", "bob");
      assertEquals(0, cli.exitCode(), cli.output());
      assertOwnerOnly("after issuing tokens", "llmproxy.mv.db", "llmproxy.lock.db");
    }
    // What an older version left behind: H2 created its database with the process umask.
    Files.setPosixFilePermissions(
        dataDir.resolve("llmproxy.mv.db"), PosixFilePermissions.fromString("rw-r--r--"));
    try (ServeProcess serve = ServeProcess.start(env(), "serve")) {
      assertOwnerOnly("after a restart", "llmproxy.mv.db", "llmproxy.lock.db");
      String tokens = adminTokens(serve);
      assertTrue(tokens.contains("\"alice\"") && tokens.contains("\"bob\""), tokens);
    }
  }

  @Test
  void theServerAndItsDatabaseListenOnLoopbackOnly() throws Exception {
    assumeTrue(ListeningSockets.procAvailable(), "reads listening sockets from Linux's /proc");
    try (ServeProcess serve = ServeProcess.start(env(), "serve")) {
      int h2Port = autoServerPort();
      List<Listener> listeners = ListeningSockets.of(serve.process.pid());
      assertTrue(listeners.stream().anyMatch(l -> l.port() == serve.port()), "HTTP: " + listeners);
      assertTrue(listeners.stream().anyMatch(l -> l.port() == h2Port), "H2: " + listeners);
      for (Listener listener : listeners) {
        assertTrue(listener.address().isLoopbackAddress(), "listens beyond loopback: " + listener);
      }
      assertTrue(serve.awaitLine("127.0.0.1:").contains("this machine only"), serve.output());

      assertTrue(ListeningSockets.accepts(InetAddress.getLoopbackAddress(), serve.port()));
      var outside = ListeningSockets.nonLoopbackAddress();
      if (outside.isPresent()) {
        assertFalse(ListeningSockets.accepts(outside.get(), serve.port()), "HTTP on " + outside);
        assertFalse(ListeningSockets.accepts(outside.get(), h2Port), "H2 on " + outside);
      }
    }
  }

  /** The port H2's auto-server wrote into the lock file (a {@code Properties} file). */
  private int autoServerPort() throws Exception {
    Properties lock = new Properties();
    try (Reader in = Files.newBufferedReader(dataDir.resolve("llmproxy.lock.db"))) {
      lock.load(in);
    }
    String server = lock.getProperty("server");
    return Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
  }

  /** Every file under the data directory is 600 and every directory 700; {@code expected} exist. */
  private void assertOwnerOnly(String when, String... expected) throws Exception {
    Map<String, String> modes = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dataDir)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        modes.put(
            dataDir.relativize(path).toString(),
            PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
      }
    }
    for (String name : expected) {
      assertTrue(modes.containsKey(name), when + ": no " + name + " in " + modes);
    }
    modes.forEach(
        (name, mode) -> {
          boolean directory = Files.isDirectory(dataDir.resolve(name));
          assertEquals(directory ? "rwx------" : "rw-------", mode, when + ": " + name);
        });
    assertTrue(Set.copyOf(modes.keySet()).size() > expected.length, when + ": " + modes);
  }

  private HttpResponse<String> issue(ServeProcess serve, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(serve.baseUrl + "/admin/tokens"))
            .header("Authorization", "Bearer " + ADMIN)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String adminTokens(ServeProcess serve) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(serve.baseUrl + "/admin/tokens"))
                .header("Authorization", "Bearer " + ADMIN)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
