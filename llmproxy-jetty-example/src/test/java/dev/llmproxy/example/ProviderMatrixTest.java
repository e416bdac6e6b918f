package dev.llmproxy.example;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.example.TestProvider.Kind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forwarding, streaming and error matrix, run for every provider through a real Jetty with a
 * MockWebServer upstream: one suite, not a copy per provider.
 */
class ProviderMatrixTest {
  private ProxyFixture fixture;

  private ProxyFixture start(Map<String, String> env) throws Exception {
    fixture = new ProxyFixture(env);
    return fixture;
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** A client request the way each provider's SDK sends its key. */
  private HttpRequest.Builder request(TestProvider p, String path) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(p.base(fixture) + path))
            .timeout(java.time.Duration.ofSeconds(30));
    return p == TestProvider.ANTHROPIC
        ? builder.header("x-api-key", fixture.token)
        : builder.header("Authorization", "Bearer " + fixture.token);
  }

  private HttpRequest post(TestProvider p, String body) {
    return request(p, p.path)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private void assertNothingForwarded() {
    assertEquals(0, fixture.upstream.getRequestCount(), "the upstream must not be called");
  }

  // ---- forwarding ----

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void jsonPassesThroughByteForByteAndTheUpstreamSeesOnlyItsOwnKey(TestProvider p)
      throws Exception {
    start(Map.of());
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .setHeader("x-request-id", "req_123")
            .setHeader(p.route + "-organization", "org-1")
            .body(p.responseJson)
            .build());
    HttpResponse<byte[]> response =
        fixture.http.send(
            request(p, p.path + "?beta=true&x=a%20b")
                .header("content-type", "application/json")
                .header(p.betaHeader, "some-beta-2025-01-01")
                .POST(HttpRequest.BodyPublishers.ofString(p.requestJson))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(200, response.statusCode());
    assertArrayEquals(p.responseJson.getBytes(UTF_8), response.body());
    assertEquals("req_123", response.headers().firstValue("x-request-id").orElseThrow());
    assertEquals("org-1", response.headers().firstValue(p.route + "-organization").orElseThrow());

    RecordedRequest upstream = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("POST", upstream.getMethod());
    assertEquals(p.path + "?beta=true&x=a%20b", upstream.getTarget());
    assertArrayEquals(p.requestJson.getBytes(UTF_8), upstream.getBody().toByteArray());
    assertEquals(p.credentialValue, upstream.getHeaders().get(p.credentialHeader));
    assertEquals("some-beta-2025-01-01", upstream.getHeaders().get(p.betaHeader));
    assertEquals("application/json", upstream.getHeaders().get("content-type"));
    assertFalse(upstream.getHeaders().toString().contains(fixture.token), "caller token leaked");

    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.OK, event.outcome());
    assertEquals(p.route, event.provider().orElseThrow());
    assertEquals(p.path, event.path());
    assertEquals("alice", event.principalId().orElseThrow());
    assertEquals("shared_key", event.credentialSource().orElseThrow());
    assertTrue(event.usage().inputTokens() > 0, "metered: " + event.usage());
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void aGzipAnswerReachesTheClientCompressedAndIsStillMetered(TestProvider p) throws Exception {
    start(Map.of());
    java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(compressed)) {
      gzip.write(p.responseJson.getBytes(UTF_8));
    }
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .setHeader("content-encoding", "gzip")
            .body(new okio.Buffer().write(compressed.toByteArray()))
            .build());
    HttpResponse<byte[]> response =
        fixture.http.send(
            request(p, p.path)
                .header("content-type", "application/json")
                .header("accept-encoding", "br, gzip")
                .POST(HttpRequest.BodyPublishers.ofString(p.requestJson))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    assertEquals("gzip", response.headers().firstValue("content-encoding").orElseThrow());
    assertArrayEquals(compressed.toByteArray(), response.body(), "compressed bytes untouched");
    assertEquals(
        "gzip",
        fixture.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("accept-encoding"));
    ProxyEvent event = fixture.nextEvent();
    assertTrue(
        event.usage().inputTokens() > 0 && event.costNanoUsd() > 0, "metered: " + event.usage());
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void aClientThatNamesNoEncodingGetsTheUpstreamsBytesUninflated(TestProvider p) throws Exception {
    // Without an Accept-Encoding of the client's, the proxy must not ask for gzip itself: this
    // upstream compresses whenever asked, and the HTTP client would inflate the answer inside
    // the proxy, dropping the upstream's length (and its bytes) on the way.
    start(Map.of());
    fixture.upstream.setDispatcher(
        new mockwebserver3.Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            MockResponse.Builder answer =
                new MockResponse.Builder().setHeader("content-type", "application/json");
            String accepted = request.getHeaders().get("accept-encoding");
            if (accepted == null || !accepted.contains("gzip")) {
              return answer.body(p.responseJson).build();
            }
            okio.Buffer compressed = new okio.Buffer();
            try (okio.BufferedSink gzip = okio.Okio.buffer(new okio.GzipSink(compressed))) {
              gzip.writeUtf8(p.responseJson);
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            return answer.setHeader("content-encoding", "gzip").body(compressed).build();
          }
        });
    HttpResponse<String> response =
        fixture.http.send(
            request(p, p.path)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(p.requestJson))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals(p.responseJson, response.body());
    assertEquals(
        String.valueOf(p.responseJson.getBytes(UTF_8).length),
        response.headers().firstValue("content-length").orElse("none"),
        "the upstream's length is kept, as it is for an answer nobody inflated");
    assertEquals(
        "identity",
        fixture.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("accept-encoding"));
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void upstreamErrorsPassThroughVerbatim(TestProvider p) throws Exception {
    start(Map.of());
    String overloaded = "{\"error\":{\"type\":\"overloaded\",\"message\":\"busy\"}}";
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .code(529)
            .setHeader("content-type", "application/json")
            .setHeader("retry-after", "7")
            .setHeader(p.route + "-ratelimit-requests-remaining", "0")
            .setHeader("x-ratelimit-remaining-requests", "0")
            .body(overloaded)
            .build());
    fixture.upstream.enqueue(new MockResponse.Builder().code(400).body("{\"bad\":true}").build());

    HttpResponse<String> first = fixture.send(post(p, p.requestJson));
    assertEquals(529, first.statusCode());
    assertEquals(overloaded, first.body());
    assertEquals("7", first.headers().firstValue("retry-after").orElseThrow());
    assertEquals(
        "0", first.headers().firstValue(p.route + "-ratelimit-requests-remaining").orElseThrow());
    assertEquals("0", first.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
    assertEquals(Outcome.UPSTREAM_ERROR, fixture.nextEvent().outcome());

    HttpResponse<String> second = fixture.send(post(p, p.requestJson));
    assertEquals(400, second.statusCode());
    assertEquals("{\"bad\":true}", second.body());
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void forbiddenRequestHeadersNeverReachTheUpstream(TestProvider p) throws Exception {
    start(Map.of());
    fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
    String head =
        "POST /proxy/"
            + p.route
            + p.path
            + " HTTP/1.1\r\n"
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
            + p.betaHeader
            + ": kept\r\n"
            + "Content-Type: application/json\r\n";
    RawHttp.Response response = RawHttp.send(fixture.server.port(), head, p.requestJson);
    assertEquals(200, response.status(), response.head());

    okhttp3.Headers seen = fixture.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders();
    for (String dropped :
        new String[] {
          "cookie",
          "x-forwarded-for",
          "x-forwarded-host",
          "proxy-authorization",
          "x-custom-internal"
        }) {
      assertNull(seen.get(dropped), dropped);
    }
    assertFalse(
        seen.get("host").contains("evil"), "host must be the upstream's: " + seen.get("host"));
    assertEquals(p.credentialValue, seen.get(p.credentialHeader));
    assertEquals(1, seen.values(p.credentialHeader).size());
    assertFalse(seen.toString().contains(fixture.token));
    assertEquals("kept", seen.get(p.betaHeader));
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void headersNamedInConnectionAreDropped(TestProvider p) throws Exception {
    start(Map.of());
    fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
    String head =
        "POST /proxy/"
            + p.route
            + p.path
            + " HTTP/1.1\r\nHost: localhost\r\n"
            + "x-api-key: "
            + fixture.token
            + "\r\n"
            + p.betaHeader
            + ": hop-only\r\n"
            + "Connection: "
            + p.betaHeader
            + "\r\n"
            + "Content-Type: application/json\r\n";
    assertEquals(200, RawHttp.send(fixture.server.port(), head, p.requestJson).status());
    assertNull(fixture.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get(p.betaHeader));
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void setCookieAndUnlistedResponseHeadersNeverReachTheClient(TestProvider p) throws Exception {
    start(Map.of());
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .addHeader("set-cookie", "upstream_session=abc; Path=/")
            .addHeader("x-upstream-internal", "secret")
            .body("{}")
            .build());
    HttpResponse<String> response = fixture.send(post(p, p.requestJson));
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().allValues("set-cookie").isEmpty());
    assertTrue(response.headers().firstValue("x-upstream-internal").isEmpty());
  }

  // ---- streaming ----

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void theFirstEventArrivesBeforeTheUpstreamSendsTheRest(TestProvider p) throws Exception {
    start(Map.of());
    ScriptedStream stream = ScriptedStream.of(p.streamEvents);
    fixture.upstream.enqueue(stream.response());
    HttpResponse<InputStream> response =
        fixture.http.send(post(p, p.streamRequest), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertEquals("no", response.headers().firstValue("x-accel-buffering").orElseThrow());
    try (InputStream body = response.body()) {
      String first = p.streamEvents.get(0);
      // The upstream is paused after its first event: reading it proves nothing was buffered.
      assertEquals(first, new String(body.readNBytes(first.getBytes(UTF_8).length), UTF_8));
      stream.release();
      assertEquals(String.join("", p.streamEvents), first + new String(body.readAllBytes(), UTF_8));
    }
    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.OK, event.outcome());
    assertTrue(event.timeToFirstByte().isPresent());
    assertTrue(event.usage().outputTokens() > 0, "stream metered: " + event.usage());
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void aClientDisconnectMidStreamCancelsTheUpstreamCall(TestProvider p) throws Exception {
    start(Map.of());
    ScriptedStream stream = ScriptedStream.untilDisconnected(p.streamEvents);
    fixture.upstream.enqueue(stream.response());
    try (Socket client = new Socket("localhost", fixture.server.port())) {
      sendRaw(client, p, p.streamRequest);
      readUntil(client.getInputStream(), p.streamEvents.get(0).substring(0, 12));
    } // the client hangs up mid-stream
    stream.release(); // the upstream sends more; the proxy finds the client gone
    assertTrue(stream.awaitDisconnect(20), "the proxy never closed the upstream connection");
    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.CLIENT_CANCELLED, event.outcome());
    assertEquals("alice", event.principalId().orElseThrow());
    assertTrue(event.costNanoUsd() > 0, "a cancelled stream is billed what it used so far");
    assertTrue(event.costEstimated(), "without final usage the cost is an estimate");
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void anUpstreamBreakingOffMidStreamIsNotACleanEnd(TestProvider p) throws Exception {
    start(Map.of());
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .chunkedBody(String.join("", p.streamEvents).repeat(200), 1024)
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());
    try (Socket client = new Socket("localhost", fixture.server.port())) {
      client.setSoTimeout(20_000);
      sendRaw(client, p, p.streamRequest);
      String whole = readUntilCleanEndOrClose(client.getInputStream());
      int bodyStart = whole.indexOf("\r\n\r\n") + 4;
      String responseHead = whole.substring(0, bodyStart).toLowerCase(java.util.Locale.ROOT);
      assertTrue(responseHead.startsWith("http/1.1 200"), whole);
      assertTrue(responseHead.contains("transfer-encoding: chunked"), responseHead);
      assertFalse(whole.substring(bodyStart).endsWith("0\r\n\r\n"), "ended cleanly: " + whole);
    }
    assertEquals(Outcome.UPSTREAM_ERROR, fixture.nextEvent().outcome());
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void anAnswerOfKnownLengthBreakingOffBeforeItsBodyIsNotACleanEnd(TestProvider p)
      throws Exception {
    start(Map.of());
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(p.responseJson)
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());
    try (Socket client = new Socket("localhost", fixture.server.port())) {
      client.setSoTimeout(20_000);
      sendRaw(client, p, p.requestJson);
      String whole = new String(client.getInputStream().readAllBytes(), UTF_8); // to the close
      int bodyStart = whole.indexOf("\r\n\r\n");
      if (bodyStart >= 0 && whole.startsWith("HTTP/1.1 200")) {
        Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(whole);
        assertTrue(length.find(), whole);
        assertTrue(
            whole.length() - bodyStart - 4 < Integer.parseInt(length.group(1)),
            "a complete answer that never arrived: " + whole);
      }
    }
    assertEquals(Outcome.UPSTREAM_ERROR, fixture.nextEvent().outcome());
  }

  private void sendRaw(Socket client, TestProvider p, String json) throws IOException {
    byte[] body = json.getBytes(UTF_8);
    String head =
        "POST /proxy/"
            + p.route
            + p.path
            + " HTTP/1.1\r\nHost: localhost\r\n"
            + "x-api-key: "
            + fixture.token
            + "\r\ncontent-type: application/json\r\ncontent-length: "
            + body.length
            + "\r\n\r\n";
    client.getOutputStream().write(head.getBytes(UTF_8));
    client.getOutputStream().write(body);
    client.getOutputStream().flush();
  }

  private static void readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    while (!seen.toString(UTF_8).contains(marker)) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("stream ended before " + marker + ": " + seen.toString(UTF_8));
      }
      seen.write(buffer, 0, n);
    }
  }

  /** Reads until the peer closes, or until a clean end of a chunked body shows up. */
  private static String readUntilCleanEndOrClose(InputStream in) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    int n;
    while (!endsCleanly(seen.toString(UTF_8)) && (n = in.read(buffer)) >= 0) {
      seen.write(buffer, 0, n);
    }
    return seen.toString(UTF_8);
  }

  private static boolean endsCleanly(String response) {
    int bodyStart = response.indexOf("\r\n\r\n");
    return bodyStart >= 0 && response.substring(bodyStart + 4).endsWith("0\r\n\r\n");
  }

  // ---- proxy-originated errors ----

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void missingAndUnknownTokensAre401(TestProvider p) throws Exception {
    start(Map.of());
    p.assertEnvelope(
        fixture.send(
            HttpRequest.newBuilder(URI.create(p.base(fixture) + p.path))
                .POST(HttpRequest.BodyPublishers.ofString(p.requestJson))
                .build()),
        401,
        Kind.AUTHENTICATION);
    HttpResponse<String> unknown =
        fixture.send(
            HttpRequest.newBuilder(URI.create(p.base(fixture) + p.path))
                .header("Authorization", "Bearer lp_sk_not-a-real-token")
                .POST(HttpRequest.BodyPublishers.ofString(p.requestJson))
                .build());
    p.assertEnvelope(unknown, 401, Kind.AUTHENTICATION);
    assertFalse(unknown.body().contains("lp_sk_not-a-real-token"));
    assertNothingForwarded();
    assertEquals(Outcome.AUTH_DENIED, fixture.nextEvent().outcome());
  }

  static Stream<Arguments> traversals() {
    return Stream.of(TestProvider.values())
        .flatMap(
            p ->
                Stream.of(
                        "/../v1/messages",
                        "/v1/../../admin/tokens",
                        "/%2e%2e/v1/messages",
                        "/%2E%2E/v1/messages",
                        "/.%2e/v1/messages",
                        "/v1/%2e/messages",
                        "/v1/..%2fadmin",
                        "/..;/admin")
                    .map(path -> Arguments.of(p, path)));
  }

  @ParameterizedTest
  @MethodSource("traversals")
  void traversalIs400InTheProvidersEnvelope(TestProvider p, String path) throws Exception {
    start(Map.of());
    RawHttp.Response response =
        RawHttp.send(
            fixture.server.port(),
            "POST /proxy/"
                + p.route
                + path
                + " HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                + fixture.token
                + "\r\nContent-Type: application/json\r\n",
            p.requestJson);
    assertEquals(400, response.status(), response.head());
    p.assertEnvelope(response.body(), Kind.INVALID);
    assertNothingForwarded();
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void requestsJettyRefusesGetTheProvidersEnvelope(TestProvider p) throws Exception {
    start(Map.of());
    for (String path : new String[] {"/v1/a%2Fb", "//v1/x"}) {
      RawHttp.Response response =
          RawHttp.send(
              fixture.server.port(),
              "GET /proxy/" + p.route + path + " HTTP/1.1\r\nHost: localhost\r\n",
              "");
      assertEquals(400, response.status(), response.head());
      assertTrue(response.head().toLowerCase().contains("content-type: application/json"));
      p.assertEnvelope(response.body(), Kind.INVALID);
    }
    RawHttp.Response huge =
        RawHttp.send(
            fixture.server.port(),
            "GET /proxy/"
                + p.route
                + "/v1/models HTTP/1.1\r\nHost: localhost\r\nx-pad: "
                + "p".repeat(20_000)
                + "\r\n",
            "");
    assertEquals(431, huge.status(), huge.head());
    p.assertEnvelope(huge.body(), Kind.INVALID);
    assertNothingForwarded();
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void bodiesOverTheLimitAre413DeclaredOrChunked(TestProvider p) throws Exception {
    start(Map.of("LLMPROXY_MAX_BODY_BYTES", "1024"));
    String big = "{\"model\":\"m\",\"pad\":\"" + "x".repeat(2000) + "\"}";
    p.assertEnvelope(fixture.send(post(p, big)), 413, Kind.TOO_LARGE);
    byte[] bytes = big.getBytes(UTF_8);
    p.assertEnvelope(
        fixture.send(
            request(p, p.path)
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
                .build()),
        413,
        Kind.TOO_LARGE);
    assertNothingForwarded();
    assertEquals(Outcome.BAD_REQUEST, fixture.nextEvent().outcome());
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void malformedJsonIs400(TestProvider p) throws Exception {
    start(Map.of());
    p.assertEnvelope(fixture.send(post(p, "{\"model\": \"m\", ")), 400, Kind.INVALID);
    assertNothingForwarded();
  }

  /** Found by HostileInputTest: whitespace is no JSON value, yet the peek let it through. */
  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void aWhitespaceOnlyJsonBodyIs400(TestProvider p) throws Exception {
    start(Map.of());
    fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build()); // fail fast if sent
    p.assertEnvelope(fixture.send(post(p, " \n")), 400, Kind.INVALID);
    assertNothingForwarded();
  }

  /**
   * A name the proxy has seen before ({@code content}, in the first request) with one byte replaced
   * by 0xFF: Jackson alone matched it to the known name without decoding it, and forwarded it.
   */
  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void invalidUtf8InANestedNameIs400AndNeverForwarded(TestProvider p) throws Exception {
    start(Map.of());
    for (int i = 0; i < 2; i++) { // an answer for the second too, should it get through
      fixture.upstream.enqueue(
          new MockResponse.Builder()
              .setHeader("content-type", "application/json")
              .body(p.responseJson)
              .build());
    }
    assertEquals(200, fixture.send(post(p, p.requestJson)).statusCode());
    assertEquals(Outcome.OK, fixture.nextEvent().outcome());

    String hostile = p.requestJson.replace("\"content\"", "\"cont\u00ffent\"");
    assertFalse(hostile.equals(p.requestJson));
    HttpResponse<String> response =
        fixture.send(
            request(p, p.path)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(hostile.getBytes(ISO_8859_1)))
                .build());
    p.assertEnvelope(response, 400, Kind.INVALID);
    assertTrue(response.body().contains("UTF-8"), response.body());
    assertEquals(Outcome.BAD_REQUEST, fixture.nextEvent().outcome());
    assertEquals(1, fixture.upstream.getRequestCount(), "only the first request went upstream");
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void anUnreachableUpstreamIs502(TestProvider p) throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closed;
    start(Map.of("LLMPROXY_ANTHROPIC_BASE_URL", url, "LLMPROXY_OPENAI_BASE_URL", url));
    p.assertEnvelope(fixture.send(post(p, p.requestJson)), 502, Kind.API);
    assertEquals(Outcome.UPSTREAM_ERROR, fixture.nextEvent().outcome());
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void noUpstreamCredentialIs403WithAHint(TestProvider p) throws Exception {
    start(Map.of("LLMPROXY_ANTHROPIC_API_KEY", "", "LLMPROXY_OPENAI_API_KEY", ""));
    HttpResponse<String> response = fixture.send(post(p, p.requestJson));
    p.assertEnvelope(response, 403, Kind.PERMISSION);
    assertTrue(response.body().contains("/api/v1/me/keys/" + p.route), response.body());
    assertNothingForwarded();
  }

  @ParameterizedTest
  @EnumSource(TestProvider.class)
  void beyondTheConcurrencyLimitTheProxyAnswersOverloaded(TestProvider p) throws Exception {
    start(Map.of("LLMPROXY_MAX_CONCURRENT", "1"));
    ScriptedStream stream = ScriptedStream.of(p.streamEvents);
    fixture.upstream.enqueue(stream.response());
    HttpResponse<InputStream> open =
        fixture.http.send(post(p, p.streamRequest), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, open.statusCode()); // holds the only slot

    HttpResponse<String> rejected = fixture.send(post(p, p.requestJson));
    assertEquals(p == TestProvider.ANTHROPIC ? 529 : 503, rejected.statusCode());
    String type =
        p == TestProvider.ANTHROPIC
            ? ProxyFixture.json(rejected.body()).get("error").get("type").asText()
            : ProxyFixture.json(rejected.body()).get("error").get("code").asText();
    assertEquals(p == TestProvider.ANTHROPIC ? "overloaded_error" : "overloaded", type);
    stream.release();
    try (InputStream body = open.body()) {
      body.readAllBytes();
    }
    assertEquals(1, fixture.upstream.getRequestCount());
  }
}
