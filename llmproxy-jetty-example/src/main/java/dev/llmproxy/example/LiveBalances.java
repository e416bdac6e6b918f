package dev.llmproxy.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Used requests and spend per token, asked of the running server ({@code GET /admin/tokens} on
 * {@code localhost:LLMPROXY_PORT} with the admin token): the example's ledger lives in the server's
 * memory, so the CLI reads it there. When no server answers, the counters are unknown and the CLI
 * says so rather than printing zeros.
 */
final class LiveBalances {
  private LiveBalances() {}

  static Map<String, JsonNode> fetch(ExampleConfig config, PrintStream err) {
    Optional<String> admin = adminToken(config);
    if (config.port() == 0 || admin.isEmpty()) {
      err.println("(used and spent: unknown, no running server to ask)");
      return Map.of();
    }
    try {
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(2))
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://localhost:" + config.port() + "/admin/tokens"))
                      .timeout(Duration.ofSeconds(5))
                      .header("Authorization", "Bearer " + admin.get())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        err.println("(used and spent: unknown, the server answered " + response.statusCode() + ")");
        return Map.of();
      }
      Map<String, JsonNode> byId = new HashMap<>();
      for (JsonNode token : new ObjectMapper().readTree(response.body()).path("tokens")) {
        byId.put(token.path("id").asText(), token);
      }
      return byId;
    } catch (IOException e) {
      err.println("(used and spent: unknown, no server on port " + config.port() + ")");
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  private static Optional<String> adminToken(ExampleConfig config) {
    if (config.adminToken().isPresent()) {
      return config.adminToken();
    }
    Path file = config.dataDir().resolve(AdminTokenFile.FILE_NAME);
    try {
      return Files.exists(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
