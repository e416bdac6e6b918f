package dev.llmproxy.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Non-streaming forwarding through a real Jetty server to a MockWebServer upstream. */
class AnthropicPassthroughTest {
  private ProxyFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new ProxyFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void jsonBodyStatusAndQueryPassThroughAndUpstreamSeesOnlyItsOwnKey() throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("content-type", "application/json")
            .setHeader("request-id", "req_123")
            .setHeader("anthropic-organization-id", "org-1")
            .body(AnthropicFixtures.MESSAGE_JSON)
            .build());

    HttpResponse<byte[]> response =
        fixture.http.send(
            fixture
                .anthropic("/v1/messages?beta=true&x=a%20b")
                .header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "prompt-caching-2024-07-31")
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(200, response.statusCode());
    assertArrayEquals(AnthropicFixtures.MESSAGE_JSON.getBytes(UTF_8), response.body());
    assertEquals("req_123", response.headers().firstValue("request-id").orElseThrow());
    assertEquals("org-1", response.headers().firstValue("anthropic-organization-id").orElseThrow());

    RecordedRequest upstream = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("POST", upstream.getMethod());
    assertEquals("/v1/messages?beta=true&x=a%20b", upstream.getTarget());
    assertArrayEquals(
        AnthropicFixtures.REQUEST_JSON.getBytes(UTF_8), upstream.getBody().toByteArray());
    assertEquals(ProxyFixture.UPSTREAM_KEY, upstream.getHeaders().get("x-api-key"));
    assertEquals("2023-06-01", upstream.getHeaders().get("anthropic-version"));
    assertEquals("prompt-caching-2024-07-31", upstream.getHeaders().get("anthropic-beta"));
    assertEquals("application/json", upstream.getHeaders().get("content-type"));
    assertFalse(upstream.getHeaders().toString().contains(fixture.token), "caller token leaked");

    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.OK, event.outcome());
    assertEquals(200, event.status());
    assertEquals("alice", event.principalId().orElseThrow());
    assertEquals("claude-sonnet-4-5", event.model().orElseThrow());
    assertEquals("/v1/messages", event.path());
    assertEquals("anthropic", event.provider().orElseThrow());
    assertEquals("shared_key", event.credentialSource().orElseThrow());
  }

  @Test
  void bearerTokenAuthenticatesLikeXApiKey() throws Exception {
    fixture.upstream.enqueue(new MockResponse.Builder().body("{\"data\":[]}").build());
    HttpResponse<String> response =
        fixture.send(
            HttpRequest.newBuilder(java.net.URI.create(fixture.anthropicBase() + "/v1/models"))
                .header("Authorization", "Bearer " + fixture.token)
                .GET()
                .build());
    assertEquals(200, response.statusCode());
    RecordedRequest upstream = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("GET", upstream.getMethod());
    assertNull(upstream.getHeaders().get("authorization"));
    assertEquals(ProxyFixture.UPSTREAM_KEY, upstream.getHeaders().get("x-api-key"));
  }

  @Test
  void upstreamErrorsPassThroughVerbatim() throws Exception {
    String overloaded =
        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .code(529)
            .setHeader("content-type", "application/json")
            .setHeader("retry-after", "7")
            .setHeader("anthropic-ratelimit-requests-remaining", "0")
            .body(overloaded)
            .build());
    String invalid =
        "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}";
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .code(400)
            .setHeader("content-type", "application/json")
            .body(invalid)
            .build());

    HttpResponse<String> first = fixture.send(post("/v1/messages"));
    assertEquals(529, first.statusCode());
    assertEquals(overloaded, first.body());
    assertEquals("7", first.headers().firstValue("retry-after").orElseThrow());
    assertEquals(
        "0", first.headers().firstValue("anthropic-ratelimit-requests-remaining").orElseThrow());
    assertEquals(Outcome.UPSTREAM_ERROR, fixture.nextEvent().outcome());

    HttpResponse<String> second = fixture.send(post("/v1/messages"));
    assertEquals(400, second.statusCode());
    assertEquals(invalid, second.body());
  }

  @Test
  void forbiddenRequestHeadersNeverReachTheUpstream() throws Exception {
    fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
    String head =
        "POST /proxy/anthropic/v1/messages HTTP/1.1\r\n"
            + "Host: evil.example\r\n"
            + "x-api-key: "
            + fixture.token
            + "\r\n"
            + "Authorization: Bearer "
            + fixture.token
            + "\r\n"
            + "Cookie: session=secret-cookie\r\n"
            + "X-Forwarded-For: 10.9.9.9\r\n"
            + "X-Forwarded-Host: evil.example\r\n"
            + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
            + "X-Custom-Internal: internal\r\n"
            + "anthropic-version: 2023-06-01\r\n"
            + "Content-Type: application/json\r\n";
    RawHttp.Response response =
        RawHttp.send(fixture.server.port(), head, AnthropicFixtures.REQUEST_JSON);
    assertEquals(200, response.status(), response.head());

    RecordedRequest upstream = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
    okhttp3.Headers seen = upstream.getHeaders();
    assertNull(seen.get("cookie"));
    assertNull(seen.get("authorization"));
    assertNull(seen.get("x-forwarded-for"));
    assertNull(seen.get("x-forwarded-host"));
    assertNull(seen.get("proxy-authorization"));
    assertNull(seen.get("x-custom-internal"));
    assertFalse(
        seen.get("host").contains("evil"), "host must be the upstream's: " + seen.get("host"));
    assertEquals(ProxyFixture.UPSTREAM_KEY, seen.get("x-api-key"));
    assertEquals("2023-06-01", seen.get("anthropic-version"));
  }

  @Test
  void headersNamedInConnectionAreDropped() throws Exception {
    fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
    String head =
        "POST /proxy/anthropic/v1/messages HTTP/1.1\r\n"
            + "Host: localhost\r\n"
            + "x-api-key: "
            + fixture.token
            + "\r\n"
            + "anthropic-beta: secret-beta\r\n"
            + "Connection: anthropic-beta\r\n"
            + "Content-Type: application/json\r\n";
    // RawHttp appends "Connection: close"; both Connection values are honoured.
    RawHttp.Response response =
        RawHttp.send(fixture.server.port(), head, AnthropicFixtures.REQUEST_JSON);
    assertEquals(200, response.status(), response.head());
    assertNull(
        fixture.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("anthropic-beta"));
  }

  @Test
  void setCookieAndUnlistedResponseHeadersNeverReachTheClient() throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .addHeader("set-cookie", "upstream_session=abc; Path=/")
            .addHeader("x-upstream-internal", "secret")
            .addHeader("x-ratelimit-limit-requests", "50")
            .body("{}")
            .build());
    HttpResponse<String> response = fixture.send(post("/v1/messages"));
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().allValues("set-cookie").isEmpty());
    assertTrue(response.headers().firstValue("x-upstream-internal").isEmpty());
    assertEquals("50", response.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
  }

  private HttpRequest post(String path) {
    return fixture
        .anthropic(path)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
        .build();
  }
}
