package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer copies from {@code serve --demo}'s output works as printed: the token-issuing
 * {@code curl} line carries the admin token printed just above it, and {@code doctor --demo} does
 * not report the shared key a demo does not need as missing.
 */
class NewcomerOutputTest {
  private static final Pattern ISSUE =
      Pattern.compile("curl -s -X POST -H \"Authorization: Bearer ([^\"]+)\" -d '([^']+)' (\\S+)");

  @TempDir Path dataDir;

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("LLMPROXY_PORT", "0");
    env.put("LLMPROXY_DATA_DIR", dataDir.toString());
    return env;
  }

  @Test
  void theIssueLineOfAFirstDemoStartCarriesTheAdminTokenAndWorks() throws Exception {
    try (ServeProcess serve = ServeProcess.start(env(), "serve", "--demo")) {
      serve.awaitLine("Admin token (shown once");
      String admin = serve.awaitLine("  ").trim();
      Matcher issue = ISSUE.matcher(serve.awaitLine("curl -s -X POST"));
      assertTrue(issue.find(), serve.output());
      assertEquals(admin, issue.group(1), "the line carries the token just printed");
      HttpResponse<String> issued =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(issue.group(3)))
                      .header("Authorization", "Bearer " + issue.group(1))
                      .POST(HttpRequest.BodyPublishers.ofString(issue.group(2)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(201, issued.statusCode(), issued.body());
    }
    // A later start did not print the token: the line says where it is instead of a secret.
    try (ServeProcess again = ServeProcess.start(env(), "serve", "--demo")) {
      String line = again.awaitLine("curl -s -X POST");
      assertTrue(line.contains("$(cat " + dataDir.resolve(AdminTokenFile.FILE_NAME)), line);
      assertFalse(again.output().contains("Admin token (shown once"), again.output());
    }
  }

  @Test
  void doctorInDemoModeNeedsNoSharedKey() throws Exception {
    ServeProcess.Result demo = ServeProcess.run(env(), "doctor", "--demo");
    assertTrue(demo.output().contains("not needed: serve --demo"), demo.output());
    assertFalse(demo.output().contains("no shared credential"), demo.output());
    ServeProcess.Result real = ServeProcess.run(env(), "doctor");
    assertTrue(
        real.output().contains("anthropic shared key (LLMPROXY_ANTHROPIC_API_KEY): missing"),
        real.output());
  }
}
