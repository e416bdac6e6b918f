package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Outcome;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Proxy-originated errors: Anthropic envelope, right status, nothing forwarded. */
class ProxyErrorsTest {
  private ProxyFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new ProxyFixture(Map.of("LLMPROXY_MAX_BODY_BYTES", "1024"));
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void missingTokenIs401() throws Exception {
    HttpResponse<String> response =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                .build());
    assertEnvelope(response, 401, "authentication_error");
    assertNothingForwarded();
    assertEquals(Outcome.AUTH_DENIED, fixture.nextEvent().outcome());
  }

  @Test
  void unknownTokenIs401AndIsNotEchoed() throws Exception {
    String unknown = "lp_sk_not-a-real-token-value";
    HttpResponse<String> response =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
                .header("x-api-key", unknown)
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                .build());
    assertEnvelope(response, 401, "authentication_error");
    assertFalse(response.body().contains(unknown));
    assertNothingForwarded();
  }

  @Test
  void revokedTokenIs403() throws Exception {
    HttpResponse<String> list =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer " + ProxyFixture.ADMIN_TOKEN)
                .build());
    String id = ProxyFixture.json(list.body()).get("tokens").get(0).get("id").asText();
    HttpResponse<String> revoke =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/admin/tokens/" + id))
                .header("Authorization", "Bearer " + ProxyFixture.ADMIN_TOKEN)
                .DELETE()
                .build());
    assertEquals(204, revoke.statusCode());

    HttpResponse<String> response =
        fixture.send(post("/v1/messages", AnthropicFixtures.REQUEST_JSON));
    assertEnvelope(response, 403, "permission_error");
    assertNothingForwarded();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/proxy/anthropic/../v1/messages",
        "/proxy/anthropic/v1/../../admin/tokens",
        "/proxy/anthropic/%2e%2e/v1/messages",
        "/proxy/anthropic/%2E%2E/v1/messages",
        "/proxy/anthropic/.%2e/v1/messages",
        "/proxy/anthropic/v1/%2e/messages",
        "/proxy/anthropic/v1/..%2fadmin",
        "/proxy/anthropic/v1%2f..%2f..%2fadmin"
      })
  void traversalIs400InTheAnthropicEnvelope(String target) throws Exception {
    RawHttp.Response response =
        RawHttp.send(
            fixture.server.port(),
            "POST "
                + target
                + " HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                + fixture.token
                + "\r\nContent-Type: application/json\r\n",
            AnthropicFixtures.REQUEST_JSON);
    assertEquals(400, response.status(), response.head());
    JsonNode body = ProxyFixture.json(response.body());
    assertEquals("error", body.get("type").asText());
    assertEquals("invalid_request_error", body.get("error").get("type").asText());
    assertNothingForwarded();
  }

  @Test
  void unknownProviderIs404() throws Exception {
    HttpResponse<String> response =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/proxy/nope/v1/messages"))
                .header("x-api-key", fixture.token)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertEnvelope(response, 404, "not_found_error");
    assertNothingForwarded();
  }

  @Test
  void declaredBodyOverTheLimitIs413() throws Exception {
    String big = "{\"model\":\"m\",\"pad\":\"" + "x".repeat(2000) + "\"}";
    HttpResponse<String> response = fixture.send(post("/v1/messages", big));
    assertEnvelope(response, 413, "request_too_large");
    assertNothingForwarded();
    assertEquals(Outcome.BAD_REQUEST, fixture.nextEvent().outcome());
  }

  @Test
  void chunkedBodyOverTheLimitIs413() throws Exception {
    byte[] big = ("{\"pad\":\"" + "x".repeat(4000) + "\"}").getBytes();
    HttpResponse<String> response =
        fixture.send(
            fixture
                .anthropic("/v1/messages")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build());
    assertEnvelope(response, 413, "request_too_large");
    assertNothingForwarded();
  }

  @Test
  void bodyAtTheLimitIsForwarded() throws Exception {
    String exact = "{\"pad\":\"" + "x".repeat(1024 - 10) + "\"}";
    assertEquals(1024, exact.length());
    fixture.upstream.enqueue(new mockwebserver3.MockResponse.Builder().body("{}").build());
    assertEquals(200, fixture.send(post("/v1/messages", exact)).statusCode());
    assertEquals(1024, fixture.upstream.takeRequest().getBodySize());
  }

  @Test
  void malformedJsonIs400() throws Exception {
    HttpResponse<String> response = fixture.send(post("/v1/messages", "{\"model\": \"m\", "));
    assertEnvelope(response, 400, "invalid_request_error");
    assertNothingForwarded();
    assertEquals(Outcome.BAD_REQUEST, fixture.nextEvent().outcome());
  }

  @Test
  void unreachableUpstreamIs502() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (ProxyFixture down =
        new ProxyFixture(Map.of("LLMPROXY_ANTHROPIC_BASE_URL", "http://127.0.0.1:" + closedPort))) {
      HttpResponse<String> response =
          down.send(
              down.anthropic("/v1/messages")
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                  .build());
      assertEnvelope(response, 502, "api_error");
      assertEquals(Outcome.UPSTREAM_ERROR, down.nextEvent().outcome());
    }
  }

  @Test
  void noUpstreamCredentialIs403WithAHint() throws Exception {
    try (ProxyFixture keyless = new ProxyFixture(Map.of("LLMPROXY_ANTHROPIC_API_KEY", ""))) {
      HttpResponse<String> response =
          keyless.send(
              keyless
                  .anthropic("/v1/messages")
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                  .build());
      assertEnvelope(response, 403, "permission_error");
      assertTrue(response.body().contains("/api/v1/me/keys/anthropic"), response.body());
      assertEquals(0, keyless.upstream.getRequestCount());
    }
  }

  @Test
  void otherPathsAreNotTheProxys() throws Exception {
    HttpResponse<String> health =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/healthz")).build());
    assertEquals(200, health.statusCode());
    HttpResponse<String> elsewhere =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/proxyish/anthropic"))
                .build());
    assertEquals(404, elsewhere.statusCode());
    assertNothingForwarded();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/proxy/anthropic/v1/a%2Fb", "/proxy/anthropic//v1/messages"})
  void requestsJettyRefusesStillGetTheAnthropicEnvelope(String target) throws Exception {
    RawHttp.Response response =
        RawHttp.send(
            fixture.server.port(),
            "GET "
                + target
                + " HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                + fixture.token
                + "\r\n",
            "");
    assertEquals(400, response.status(), response.head());
    assertTrue(response.head().toLowerCase().contains("content-type: application/json"));
    JsonNode body = ProxyFixture.json(response.body());
    assertEquals("invalid_request_error", body.get("error").get("type").asText());
    assertNothingForwarded();
  }

  @Test
  void oversizedHeadersGetTheAnthropicEnvelope() throws Exception {
    RawHttp.Response response =
        RawHttp.send(
            fixture.server.port(),
            "GET /proxy/anthropic/v1/models HTTP/1.1\r\nHost: localhost\r\nx-pad: "
                + "p".repeat(20_000)
                + "\r\n",
            "");
    assertEquals(431, response.status(), response.head());
    JsonNode body = ProxyFixture.json(response.body());
    assertEquals("error", body.get("type").asText());
    assertEquals("invalid_request_error", body.get("error").get("type").asText());
    assertNothingForwarded();
  }

  private HttpRequest post(String path, String body) {
    return fixture
        .anthropic(path)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private void assertNothingForwarded() {
    assertEquals(0, fixture.upstream.getRequestCount(), "the upstream must not be called");
  }

  private static void assertEnvelope(HttpResponse<String> response, int status, String type)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
    JsonNode body = ProxyFixture.json(response.body());
    assertEquals("error", body.get("type").asText());
    assertEquals(type, body.get("error").get("type").asText());
    assertFalse(body.get("error").get("message").asText().isBlank());
  }
}
