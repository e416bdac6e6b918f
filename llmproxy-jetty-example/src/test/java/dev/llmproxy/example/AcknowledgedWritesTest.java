package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged write survives {@code kill -9} from the moment it is acknowledged: the process is
 * killed right after each 201/200/204, then restarted on the same data directory.
 */
class AcknowledgedWritesTest {
  @TempDir Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static void kill9(ServerProcess server) throws InterruptedException {
    server.process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
    assertTrue(server.process.waitFor(30, TimeUnit.SECONDS));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode tokens(ServerProcess server) throws Exception {
    return ProxyFixture.json(
            send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/admin/tokens"))
                    .header("Authorization", "Bearer " + ServerProcess.ADMIN))
                .body())
        .get("tokens");
  }

  private HttpRequest.Builder myKey(ServerProcess server, String token) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/me/keys/anthropic"))
        .header("x-api-key", token)
        .header("content-type", "application/json");
  }

  @Test
  void aTokenAKeyAndARevocationSurviveAKill9RightAfterTheirAcknowledgement() throws Exception {
    int port = ServerProcess.freePort();
    Map<String, String> env = Map.of("LLMPROXY_TIER_RATES", "free=0");

    ServerProcess first = ServerProcess.start(dataDir, port, env);
    JsonNode issued = first.issue("{\"user\":\"carol\"}");
    kill9(first);

    ServerProcess second = ServerProcess.start(dataDir, port, env);
    String id = issued.get("id").asText();
    String token = issued.get("token").asText();
    assertEquals(id, tokens(second).get(0).get("id").asText(), "the issued token survived");
    HttpResponse<String> saved =
        send(
            myKey(second, token)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"key\":\"sk-ant-carols-own-key\"}")));
    assertEquals(200, saved.statusCode(), saved.body());
    kill9(second);

    ServerProcess third = ServerProcess.start(dataDir, port, env);
    JsonNode status = ProxyFixture.json(send(myKey(third, token).GET()).body());
    assertTrue(status.get("configured").asBoolean(), "the saved key survived: " + status);
    HttpResponse<String> revoked =
        send(
            HttpRequest.newBuilder(URI.create(third.baseUrl() + "/admin/tokens/" + id))
                .header("Authorization", "Bearer " + ServerProcess.ADMIN)
                .DELETE());
    assertEquals(204, revoked.statusCode());
    kill9(third);

    try (ServerProcess fourth = ServerProcess.start(dataDir, port, env)) {
      assertTrue(tokens(fourth).get(0).get("revoked").asBoolean(), "the revocation survived");
    }
  }
}
