package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
  void bodyAtTheLimitIsForwarded() throws Exception {
    String exact = "{\"pad\":\"" + "x".repeat(1024 - 10) + "\"}";
    assertEquals(1024, exact.length());
    fixture.upstream.enqueue(new mockwebserver3.MockResponse.Builder().body("{}").build());
    assertEquals(200, fixture.send(post("/v1/messages", exact)).statusCode());
    assertEquals(1024, fixture.upstream.takeRequest().getBodySize());
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

  @Test
  void anErrorAnsweredBeforeTheBodyWasReadClosesTheConnection() throws Exception {
    HttpResponse<String> refused =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
                .header("x-api-key", "lp_sk_not_a_token_of_this_proxy")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                .build());
    assertEnvelope(refused, 401, "authentication_error");
    assertEquals(Optional.of("close"), refused.headers().firstValue("connection"));

    HttpResponse<String> noBody =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/models"))
                .header("x-api-key", "lp_sk_not_a_token_of_this_proxy")
                .build());
    assertEnvelope(noBody, 401, "authentication_error");
    assertEquals(Optional.empty(), noBody.headers().firstValue("connection"), "nothing unread");

    HttpResponse<String> malformed = fixture.send(post("/v1/messages", "{not json"));
    assertEnvelope(malformed, 400, "invalid_request_error");
    assertEquals(Optional.empty(), malformed.headers().firstValue("connection"), "body was read");
    assertNothingForwarded();
  }

  /**
   * Found by HostileInputTest: the peek read the first Content-Type, an upstream may read the last,
   * so a JSON body declared second went upstream unread.
   */
  @Test
  void twoContentTypesAre400AndNothingIsForwarded() throws Exception {
    // an answer, should the request get through, so that the test fails on the status at once
    fixture.upstream.enqueue(new mockwebserver3.MockResponse.Builder().body("{}").build());
    RawHttp.Response response =
        RawHttp.send(
            fixture.server.port(),
            "POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\n"
                + "x-api-key: "
                + fixture.token
                + "\r\ncontent-type: text/plain\r\ncontent-type: application/json\r\n",
            AnthropicFixtures.REQUEST_JSON);
    assertEquals(400, response.status(), response.body());
    assertEquals("invalid_request_error", type(response.body()));
    assertNothingForwarded();
  }

  /**
   * Found by HostileInputTest: a target Jetty cannot parse (a malformed percent-escape, a control
   * character) reaches no filter and loses its route; it was answered 400 with an empty body.
   */
  @Test
  void aRequestTargetJettyCannotParseIsAnsweredInTheDefaultEnvelope() throws Exception {
    for (String target : new String[] {"/proxy/openai/v1/%zz", "/proxy/anthropic/\u007f"}) {
      RawHttp.Response response =
          RawHttp.send(
              fixture.server.port(),
              "POST " + target + " HTTP/1.1\r\nHost: localhost\r\n",
              AnthropicFixtures.REQUEST_JSON);
      assertEquals(400, response.status(), target);
      assertTrue(response.head().toLowerCase().contains("content-type: application/json"), target);
      assertEquals("invalid_request_error", type(response.body()), target);
    }
    assertNothingForwarded();
  }

  private static String type(String anthropicError) throws Exception {
    return ProxyFixture.json(anthropicError).path("error").path("type").asText();
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
