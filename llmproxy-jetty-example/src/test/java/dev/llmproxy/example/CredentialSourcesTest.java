package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.ProxyEvent;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fallback chain end to end: user key, shared key, Claude subscription; and broken keys. */
class CredentialSourcesTest {
  private static final String OAUTH = "sk-ant-oat01-subscription-access-token";

  @TempDir Path dir;

  private Path claudeFile(long expiresAtMillis) throws Exception {
    Path file = dir.resolve(".credentials.json");
    Files.writeString(
        file,
        "{\"claudeAiOauth\":{\"accessToken\":\""
            + OAUTH
            + "\",\"refreshToken\":\"sk-ant-ort01-refresh\",\"expiresAt\":"
            + expiresAtMillis
            + "}}");
    return file;
  }

  private static HttpResponse<String> message(ProxyFixture fixture, String beta) throws Exception {
    HttpRequest.Builder request =
        fixture
            .anthropic("/v1/messages")
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON));
    if (beta != null) {
      request.header("anthropic-beta", beta);
    }
    return fixture.send(request.build());
  }

  @Test
  void claudeSubscriptionSendsBearerWithTheOauthBetaMergedIntoTheClients() throws Exception {
    Path file = claudeFile(Instant.now().plusSeconds(3600).toEpochMilli());
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of(
                "LLMPROXY_ANTHROPIC_API_KEY",
                "",
                "LLMPROXY_CLAUDE_CREDENTIALS",
                file.toString()))) {
      fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
      assertEquals(
          200, message(fixture, "prompt-caching-2024-07-31,files-api-2025-04-14").statusCode());
      RecordedRequest upstream = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
      assertEquals("Bearer " + OAUTH, upstream.getHeaders().get("authorization"));
      assertNull(upstream.getHeaders().get("x-api-key"));
      assertEquals(
          "prompt-caching-2024-07-31,files-api-2025-04-14,oauth-2025-04-20",
          upstream.getHeaders().get("anthropic-beta"));
      assertEquals("2023-06-01", upstream.getHeaders().get("anthropic-version"));
      ProxyEvent event = fixture.nextEvent();
      assertEquals("claude_subscription", event.credentialSource().orElseThrow());
      assertFalse(event.toString().contains(OAUTH));
    }
  }

  @Test
  void anExpiredSubscriptionIs403AndNothingIsSent() throws Exception {
    Path file = claudeFile(Instant.now().minusSeconds(60).toEpochMilli());
    try (ProxyFixture fixture =
        new ProxyFixture(
            Map.of(
                "LLMPROXY_ANTHROPIC_API_KEY",
                "",
                "LLMPROXY_CLAUDE_CREDENTIALS",
                file.toString()))) {
      HttpResponse<String> response = message(fixture, null);
      assertEquals(403, response.statusCode());
      assertFalse(response.body().contains(OAUTH));
      assertEquals(0, fixture.upstream.getRequestCount());
    }
  }

  @Test
  void theSharedKeyComesBeforeTheSubscription() throws Exception {
    Path file = claudeFile(Instant.now().plusSeconds(3600).toEpochMilli());
    try (ProxyFixture fixture =
        new ProxyFixture(Map.of("LLMPROXY_CLAUDE_CREDENTIALS", file.toString()))) {
      fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
      message(fixture, null);
      RecordedRequest upstream = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
      assertEquals(ProxyFixture.UPSTREAM_KEY, upstream.getHeaders().get("x-api-key"));
      assertNull(upstream.getHeaders().get("authorization"));
      assertEquals("shared_key", fixture.nextEvent().credentialSource().orElseThrow());
    }
  }

  @Test
  void aStoredKeyThatDoesNotDecryptIs500WithoutTheKeyAndIsNotReplacedByTheSharedOne()
      throws Exception {
    String key = "sk-ant-api03-will-be-corrupted";
    try (ProxyFixture fixture = new ProxyFixture()) {
      HttpResponse<String> saved =
          fixture.send(
              HttpRequest.newBuilder(
                      URI.create(fixture.server.baseUrl() + "/api/v1/me/keys/anthropic"))
                  .header("x-api-key", fixture.token)
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}"))
                  .build());
      assertEquals(200, saved.statusCode());
      fixture.corruptStoredKeys();

      HttpResponse<String> response = message(fixture, null);
      assertEquals(500, response.statusCode(), response.body());
      JsonNode error = ProxyFixture.json(response.body()).get("error");
      assertEquals("api_error", error.get("type").asText());
      assertFalse(response.body().contains(key));
      assertEquals(0, fixture.upstream.getRequestCount(), "no silent fallback to the shared key");
    }
  }
}
