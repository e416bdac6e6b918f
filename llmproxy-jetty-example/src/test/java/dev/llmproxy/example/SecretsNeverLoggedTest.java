package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the identity scenarios — issue, use, save a key, a wrong admin token, an unknown token, a
 * corrupted stored key, a subscription token — with secrets unique to this test, then proves none
 * of them appears in any log line (the module's whole log, see simplelogger.properties), any event,
 * or any error body.
 */
class SecretsNeverLoggedTest {
  private static final Path LOG = Path.of("target/llmproxy-test.log");

  @TempDir Path dir;

  @Test
  void noTokenKeyOrOauthSecretIsLoggedOrEchoed() throws Exception {
    String unique = UUID.randomUUID().toString().replace("-", "");
    String sharedKey = "sk-ant-shared-" + unique;
    String userKey = "sk-ant-user-" + unique;
    String oauth = "sk-ant-oat01-" + unique;
    String wrongAdmin = "lp_admin_guess_" + unique;
    String unknownToken = "lp_sk_unknown_" + unique;
    Path claude = dir.resolve("claude.json");
    Files.writeString(
        claude,
        "{\"claudeAiOauth\":{\"accessToken\":\""
            + oauth
            + "\",\"expiresAt\":"
            + Instant.now().plusSeconds(3600).toEpochMilli()
            + "}}");

    List<String> bodies = new ArrayList<>();
    List<String> secrets =
        new ArrayList<>(List.of(sharedKey, userKey, oauth, wrongAdmin, unknownToken));
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of(
                "LLMPROXY_ANTHROPIC_API_KEY",
                sharedKey,
                "LLMPROXY_CLAUDE_CREDENTIALS",
                claude.toString()))) {
      secrets.add(fixture.token);
      secrets.add(ProxyFixture.ADMIN_TOKEN);

      fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
      bodies.add(fixture.send(message(fixture, fixture.token)).body()); // shared key
      bodies.add(fixture.send(message(fixture, unknownToken)).body());
      bodies.add(
          fixture
              .send(
                  HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/admin/tokens"))
                      .header("Authorization", "Bearer " + wrongAdmin)
                      .build())
              .body());
      HttpResponse<String> saved =
          fixture.send(
              HttpRequest.newBuilder(
                      URI.create(fixture.server.baseUrl() + "/api/v1/me/keys/anthropic"))
                  .header("Authorization", "Bearer " + fixture.token)
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + userKey + "\"}"))
                  .build());
      bodies.add(saved.body());
      fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
      bodies.add(fixture.send(message(fixture, fixture.token)).body()); // user key

      // Corrupt the stored key: the 500 path logs an error, which must not carry the key. Saving
      // it again first drops the proxy's cached row, so the next request reads the corrupt one.
      fixture.send(
          HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/api/v1/me/keys/anthropic"))
              .header("Authorization", "Bearer " + fixture.token)
              .PUT(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + userKey + "\"}"))
              .build());
      fixture.corruptStoredKeys();
      HttpResponse<String> broken = fixture.send(message(fixture, fixture.token));
      bodies.add(broken.body());

      assertEquals(500, broken.statusCode());
      for (int i = 0; i < 4; i++) { // shared key, unknown token, user key, broken key
        bodies.add(fixture.nextEvent().toString());
      }
    }

    // The subscription path, with no shared key in the way.
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of(
                "LLMPROXY_ANTHROPIC_API_KEY",
                "",
                "LLMPROXY_CLAUDE_CREDENTIALS",
                claude.toString()))) {
      secrets.add(fixture.token);
      fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
      HttpResponse<String> response = fixture.send(message(fixture, fixture.token));
      assertEquals(200, response.statusCode());
      assertEquals(
          "Bearer " + oauth, fixture.upstream.takeRequest().getHeaders().get("authorization"));
      bodies.add(fixture.nextEvent().toString());
    }

    String log = Files.readString(LOG, StandardCharsets.UTF_8);
    assertTrue(log.contains("does not decrypt"), "the corrupted-key error was logged: a real scan");
    for (String secret : secrets) {
      assertFalse(log.contains(secret), "a secret reached the log: " + secret.substring(0, 10));
      for (String body : bodies) {
        assertFalse(body.contains(secret), "a secret reached a body or event: " + body);
      }
    }
  }

  private static HttpRequest message(ProxyFixture fixture, String token) {
    return HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
        .build();
  }
}
