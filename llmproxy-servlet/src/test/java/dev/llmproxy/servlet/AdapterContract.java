package dev.llmproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link LlmProxyFilter} must do in any servlet container, run in a real one (see {@link
 * #newContainer()}) with a real HTTP client and a real upstream: MockWebServer, or {@link
 * RawUpstream} where a test needs byte-level control of the upstream's side.
 */
abstract class AdapterContract {
  /** The bound on every wait: for an answer, an event, the upstream's request or its hang-up. */
  static final Duration WAIT = Duration.ofSeconds(5);

  private static final MediaType JSON = MediaType.get("application/json");
  private static final String STREAM_REQUEST =
      "{\"model\":\"claude-test\",\"max_tokens\":16,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  private static final String MESSAGE_START =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":"
          + "\"claude-test\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n";
  private static final String TEXT_DELTA =
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n";
  private static final String PING = "event: ping\ndata: {\"type\":\"ping\"}\n\n";

  /** A new, unstarted instance of the container under test. */
  protected abstract Container newContainer();

  /**
   * The upstream client to relay through without a blocked thread ({@code nonBlockingRelay}), or
   * {@code null} (the default) for the proxy's own OkHttp client and blocking relay.
   */
  protected UpstreamClient nonBlockingUpstream() {
    return null;
  }

  private final Container container = newContainer();
  private final OkHttpClient client =
      new OkHttpClient.Builder().readTimeout(WAIT).retryOnConnectionFailure(false).build();
  private RawUpstream rawUpstream;
  private MockWebServer mockUpstream;
  private TestProxy proxy;

  @AfterEach
  void stopEverything() throws Exception {
    container.stop();
    if (proxy != null) {
      proxy.close();
    }
    if (rawUpstream != null) {
      rawUpstream.close();
    }
    if (mockUpstream != null) {
      mockUpstream.close();
    }
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Test
  void streamsEachEventToTheClientBeforeTheUpstreamSendsTheNext() throws Exception {
    InFlight request = sendThroughRawUpstream();
    request.upstream().send(RawUpstream.SSE_HEAD);
    request.upstream().sendChunk(MESSAGE_START);

    try (Response response = request.response()) {
      BufferedSource body = response.body().source();
      // The upstream sends nothing more until the client has the first event.
      assertEquals(
          MESSAGE_START,
          assertDoesNotThrow(
              () -> readEvent(body), "the first event waited for more bytes from the upstream"));
      request.upstream().sendChunk(TEXT_DELTA);
      assertEquals(TEXT_DELTA, readEvent(body));
      request.upstream().endChunks();
      assertTrue(body.exhausted(), "the stream ends when the upstream's does");
    }
  }

  @Test
  void anOpenStreamHoldsNoExchangeThreadOnTheNonBlockingRelay() throws Exception {
    assumeTrue(nonBlockingUpstream() != null, "the blocking relay holds one thread per stream");
    InFlight request = sendThroughRawUpstream();
    request.upstream().send(RawUpstream.SSE_HEAD);
    request.upstream().sendChunk(MESSAGE_START);
    try (Response response = request.response()) {
      BufferedSource body = response.body().source();
      assertEquals(MESSAGE_START, readEvent(body));

      // The stream is open and quiet: no thread may be left running the exchange.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (threadsRunningAnExchange() > 0 && System.nanoTime() < deadline) {
        Thread.yield();
      }
      assertEquals(0, threadsRunningAnExchange(), "a thread still runs the open stream");

      request.upstream().sendChunk(TEXT_DELTA);
      assertEquals(TEXT_DELTA, readEvent(body));
      request.upstream().endChunks();
      assertTrue(body.exhausted(), "the stream ends when the upstream's does");
    }
    assertEquals(Outcome.OK, proxy.nextEvent(WAIT).outcome());
  }

  @Test
  void waitingForTheUpstreamsHeadersHoldsNoThreadOnTheNonBlockingRelay() throws Exception {
    assumeTrue(nonBlockingUpstream() != null, "the blocking relay waits on a thread");
    InFlight request = sendThroughRawUpstream(); // the upstream has the request and thinks

    long deadline = System.nanoTime() + WAIT.toNanos();
    while (threadsRunningAnExchange() > 0 && System.nanoTime() < deadline) {
      Thread.yield();
    }
    assertEquals(0, threadsRunningAnExchange(), "a thread waits for the upstream's headers");
    assertFalse(request.answer().isDone(), "nothing answered before the upstream did");

    request.upstream().send(RawUpstream.SSE_HEAD);
    request.upstream().sendChunk(MESSAGE_START);
    try (Response response = request.response()) {
      BufferedSource body = response.body().source();
      assertEquals(MESSAGE_START, readEvent(body));
      request.upstream().endChunks();
      assertTrue(body.exhausted(), "the stream ends when the upstream's does");
    }
    assertEquals(Outcome.OK, proxy.nextEvent(WAIT).outcome());
  }

  @Test
  void aSlowUploadHoldsNoThreadOnTheNonBlockingRelay() throws Exception {
    assumeTrue(nonBlockingUpstream() != null, "the blocking relay reads the body on a thread");
    String json = "{\"id\":\"msg_3\",\"usage\":{\"input_tokens\":2,\"output_tokens\":1}}";
    mockUpstream()
        .enqueue(
            new MockResponse.Builder()
                .setHeader("content-type", "application/json")
                .body(json)
                .build());
    URI base = deployAtRoot(mockUpstream);
    String body =
        "{\"model\":\"claude-test\",\"max_tokens\":16,\"system\":\"" + "y".repeat(4000) + "\"}";
    int half = body.length() / 2;
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      java.io.OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\n"
                  + "x-api-key: "
                  + TestProxy.TOKEN
                  + "\r\nanthropic-version: 2023-06-01\r\n"
                  + "content-type: application/json\r\ncontent-length: "
                  + body.length()
                  + "\r\nconnection: close\r\n\r\n"
                  + body.substring(0, half))
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.flush();

      // Half the body is in; the rest is slow to come. No thread may wait for it.
      proxy.awaitStage("read_body", WAIT);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (threadsRunningAnExchange() > 0 && System.nanoTime() < deadline) {
        Thread.yield();
      }
      assertEquals(0, threadsRunningAnExchange(), "a thread waits for the request body");
      assertEquals(0, mockUpstream.getRequestCount(), "forwarded before the body was whole");

      out.write(body.substring(half).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.flush();
      String answer =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      assertTrue(answer.endsWith(json), answer);
    }
    RecordedRequest forwarded = mockUpstream.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(body, forwarded.getBody().utf8(), "the body changed on its way upstream");
    assertEquals(Outcome.OK, proxy.nextEvent(WAIT).outcome());
  }

  @Test
  void aClientLeavingMidUploadIsSettledAsCancelledAndNothingGoesUpstream() throws Exception {
    mockUpstream().enqueue(new MockResponse.Builder().body("{}").build());
    URI base = deployAtRoot(mockUpstream);
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket
          .getOutputStream()
          .write(
              ("POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\n"
                      + "x-api-key: "
                      + TestProxy.TOKEN
                      + "\r\nanthropic-version: 2023-06-01\r\n"
                      + "content-type: application/json\r\ncontent-length: 1000\r\n\r\n"
                      + "{\"model\":\"claude-test\",")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
    } // gone, 975 bytes short

    assertEquals(Outcome.CLIENT_CANCELLED, proxy.nextEvent(WAIT).outcome());
    assertEquals(0, mockUpstream.getRequestCount(), "a body cut short went upstream");
  }

  /** Threads inside an exchange's run: the stages, or a relay that blocks. */
  private static long threadsRunningAnExchange() {
    return Thread.getAllStackTraces().values().stream()
        .filter(
            stack ->
                java.util.Arrays.stream(stack)
                    .anyMatch(
                        frame ->
                            frame
                                .getClassName()
                                .equals("dev.llmproxy.core.internal.exchange.Exchange")))
        .count();
  }

  @Test
  void aClientLeavingMidStreamCancelsTheUpstreamCall() throws Exception {
    InFlight request = sendThroughRawUpstream();
    request.upstream().send(RawUpstream.SSE_HEAD);
    request.upstream().sendChunk(MESSAGE_START);
    try (Response response = request.response()) {
      assertEquals(MESSAGE_START, readEvent(response.body().source()));

      request.call().cancel(); // the client closes its connection mid-stream

      assertTrue(
          request.upstream().streamUntilHangUp(PING, WAIT),
          "the upstream connection stayed open after the client left");
      assertEquals(Outcome.CLIENT_CANCELLED, proxy.nextEvent(WAIT).outcome());
    }
  }

  @Test
  void aClientLeavingBeforeTheFirstByteCancelsTheUpstreamCall() throws Exception {
    InFlight request = sendThroughRawUpstream(); // the upstream has it and does not answer

    request.call().cancel(); // the client closes its connection while waiting for the answer

    assertThrows(Exception.class, request::response);
    if (container.watchesForDisconnect()) {
      assertTrue(
          request.upstream().awaitHangUp(WAIT),
          "the upstream connection stayed open after the client left before the first byte");
    } else { // noticed when the answer starts and the proxy writes to the closed connection
      request.upstream().send(RawUpstream.SSE_HEAD);
      assertTrue(
          request.upstream().streamUntilHangUp(PING, WAIT),
          "the upstream connection stayed open after the proxy wrote to a client that had left");
    }
    assertEquals(Outcome.CLIENT_CANCELLED, proxy.nextEvent(WAIT).outcome());
  }

  @Test
  void anUpstreamBreakingOffMidStreamEndsTheClientsResponseAbnormally() throws Exception {
    InFlight request = sendThroughRawUpstream();
    request.upstream().send(RawUpstream.SSE_HEAD);
    request.upstream().sendChunk(MESSAGE_START);

    try (Response response = request.response()) {
      BufferedSource body = response.body().source();
      assertEquals(MESSAGE_START, readEvent(body));
      request.upstream().breakOff(); // no final chunk

      // A clean end would tell the client the answer was complete.
      assertThrows(IOException.class, body::readUtf8, "the broken stream ended cleanly");
    }
  }

  @Test
  void withoutAsyncSupportAProxyRequestIsAnsweredInTheProvidersErrorEnvelope() throws Exception {
    mockUpstream().enqueue(new MockResponse.Builder().body("{}").build()); // must stay unused
    URI base =
        container.start(
            Container.Webapp.of(
                    "",
                    proxy(mockUpstream).filter("/proxy", container.support()),
                    new HostServlet())
                .withoutAsyncSupport());

    try (Response response =
        client.newCall(messages(base.resolve("/proxy/anthropic/v1/messages"))).execute()) {
      assertEquals(500, response.code());
      assertEquals("application/json", mediaType(response));
      JsonNode error = new ObjectMapper().readTree(response.body().string());
      assertEquals("error", error.path("type").asText());
      assertEquals("api_error", error.path("error").path("type").asText());
      assertTrue(error.path("error").path("message").asText().contains("async support"));
    }
    try (Response response =
        client
            .newCall(
                messages(base.resolve("/proxy/openai/v1/chat/completions"))
                    .newBuilder()
                    .header("authorization", "Bearer " + TestProxy.TOKEN)
                    .build())
            .execute()) {
      assertEquals(500, response.code());
      JsonNode error = new ObjectMapper().readTree(response.body().string()).path("error");
      assertEquals("server_error", error.path("type").asText()); // OpenAI's name for a 500
      assertTrue(error.has("param"), "OpenAI's envelope, not Anthropic's: " + error);
    }
    assertEquals(0, mockUpstream.getRequestCount());
  }

  @Test
  void underAContextPathTheMountIsProxiedAndEveryOtherPathReachesTheHostUntouched()
      throws Exception {
    mockUpstream().enqueue(new MockResponse.Builder().body("{\"id\":\"msg_1\"}").build());
    URI base =
        container.start(
            Container.Webapp.of(
                "/app",
                proxy(mockUpstream).filter("/llm", container.support()),
                new HostServlet()));

    try (Response response =
        client
            .newCall(messages(URI.create(base + "/llm/anthropic/v1/messages?beta=true")))
            .execute()) {
      assertEquals(200, response.code());
      assertEquals("{\"id\":\"msg_1\"}", response.body().string());
    }
    RecordedRequest forwarded = mockUpstream.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals("POST", forwarded.getMethod());
    assertEquals("/v1/messages?beta=true", forwarded.getTarget());
    assertEquals(STREAM_REQUEST, forwarded.getBody().utf8());
    assertEquals(TestProxy.ORG_KEY, forwarded.getHeaders().get("x-api-key"));

    for (String path :
        new String[] {
          "/proxy/anthropic/v1/messages", // the default mount, not this webapp's
          "/llmish/anthropic/v1/messages", // the mount path as a mere prefix
          "/other/llm/anthropic/v1/messages", // the mount path further down
          "/index.html?llm=/llm/anthropic"
        }) {
      try (Response response = client.newCall(messages(URI.create(base + path))).execute()) {
        assertEquals(200, response.code(), path);
        assertEquals("host", response.header(HostServlet.MARK), path);
        // The host echoes the body it read: the filter left it unread.
        assertEquals(
            HostServlet.echo("POST", "/app" + path, STREAM_REQUEST), response.body().string());
        assertNull(response.header("x-ratelimit-limit"), path);
      }
    }
    assertEquals(1, mockUpstream.getRequestCount());
  }

  @Test
  void aFilterDeclaredInWebXmlTakesItsProxyFromTheContextAndItsMountFromItsInitParameter()
      throws Exception {
    mockUpstream().enqueue(new MockResponse.Builder().body("{\"data\":[]}").build());
    URI base =
        container.start(
            new Container.Webapp(
                "/app",
                new LlmProxyFilter(),
                true,
                Map.of("mount-path", "/llm"),
                proxy(mockUpstream).contextAttributes(),
                new HostServlet()));

    try (Response response =
        client.newCall(get(URI.create(base + "/llm/anthropic/v1/models"))).execute()) {
      assertEquals(200, response.code());
      assertEquals("{\"data\":[]}", response.body().string());
    }
    assertEquals(
        "/v1/models", mockUpstream.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS).getTarget());
    try (Response response =
        client.newCall(get(URI.create(base + "/proxy/anthropic/v1/models"))).execute()) {
      assertEquals("host", response.header(HostServlet.MARK));
    }
  }

  @Test
  void theClientGetsAllowedHeadersAndItsRateWindowButNoHopByHopHeaderOrCookie() throws Exception {
    mockUpstream()
        .enqueue(
            new MockResponse.Builder()
                .setHeader("content-type", "application/json")
                .setHeader("request-id", "req_1")
                .setHeader("anthropic-ratelimit-requests-remaining", "41")
                .setHeader("set-cookie", "upstream-session=secret")
                .setHeader("keep-alive", "timeout=5")
                .setHeader("connection", "anthropic-internal")
                .setHeader("anthropic-internal", "named in Connection, so hop-by-hop")
                .setHeader("x-upstream-internal", "not on the allow-list")
                .body("{}")
                .build());
    URI base = deployAtRoot(mockUpstream);

    try (Response response =
        client.newCall(messages(base.resolve("/proxy/anthropic/v1/messages"))).execute()) {
      assertEquals(200, response.code());
      assertEquals("req_1", response.header("request-id"));
      assertEquals("41", response.header("anthropic-ratelimit-requests-remaining"));
      assertEquals("300", response.header("x-ratelimit-limit"));
      assertEquals("299", response.header("x-ratelimit-remaining"));
      assertEquals(
          Long.toString(TestProxy.WINDOW.resetAt().getEpochSecond()),
          response.header("x-ratelimit-reset"));
      assertNull(response.header("set-cookie"));
      // the upstream's; a container may add its own (Tomcat says timeout=60)
      assertFalse(response.headers("keep-alive").contains("timeout=5"), "upstream keep-alive");
      assertNull(response.header("anthropic-internal"));
      assertNull(response.header("x-upstream-internal"));
      assertFalse(
          response.headers("connection").toString().contains("anthropic-internal"),
          "the upstream's Connection header reached the client");
    }
  }

  @Test
  void anAnswerOfKnownLengthKeepsItsContentLength() throws Exception {
    String json = "{\"id\":\"msg_1\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}]}";
    mockUpstream()
        .enqueue(
            new MockResponse.Builder()
                .setHeader("content-type", "application/json")
                .body(json)
                .build());
    URI base = deployAtRoot(mockUpstream);

    try (Response response =
        client.newCall(messages(base.resolve("/proxy/anthropic/v1/messages"))).execute()) {
      assertEquals(Integer.toString(json.length()), response.header("content-length"));
      assertNull(response.header("transfer-encoding"));
      assertEquals(json, response.body().string());
    }
  }

  @Test
  void theLastByteOfAnAnswerOfKnownLengthLeavesOnlyOnceItsSpendIsBooked() throws Exception {
    String json = "{\"id\":\"msg_2\",\"usage\":{\"input_tokens\":7,\"output_tokens\":3}}";
    mockUpstream()
        .enqueue(
            new MockResponse.Builder()
                .setHeader("content-type", "application/json")
                .body(json)
                .build());
    URI base = deployAtRoot(mockUpstream);
    CompletableFuture<String> received = new CompletableFuture<>();
    CompletableFuture<Boolean> wholeBeforeBooked = new CompletableFuture<>();
    proxy.onCommit(
        () -> {
          // A client holding the whole answer may send its next request now, which must already
          // see this spend: so the answer must not be whole yet. Half a second is ample for bytes
          // already on their way over loopback to arrive.
          try {
            received.get(500, TimeUnit.MILLISECONDS);
            wholeBeforeBooked.complete(true);
          } catch (Exception e) {
            wholeBeforeBooked.complete(false);
          }
        });
    Request request =
        messages(base.resolve("/proxy/anthropic/v1/messages"))
            .newBuilder()
            .post(RequestBody.create("{\"model\":\"claude-test\",\"max_tokens\":16}", JSON))
            .build();
    client
        .newCall(request)
        .enqueue(
            new Callback() {
              @Override
              public void onResponse(Call call, Response response) {
                try (response) {
                  received.complete(response.body().string());
                } catch (IOException e) {
                  received.completeExceptionally(e);
                }
              }

              @Override
              public void onFailure(Call call, IOException e) {
                received.completeExceptionally(e);
              }
            });

    assertFalse(
        wholeBeforeBooked.get(WAIT.toSeconds(), TimeUnit.SECONDS),
        "the client had the whole answer before its spend was booked");
    assertEquals(json, received.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(Outcome.OK, proxy.nextEvent(WAIT).outcome());
  }

  @Test
  void aChunkedRequestBodyReachesTheUpstreamWhole() throws Exception {
    String text = "x".repeat(200_000); // several reads and chunks on every hop
    String json = "{\"model\":\"claude-test\",\"max_tokens\":16,\"system\":\"" + text + "\"}";
    mockUpstream().enqueue(new MockResponse.Builder().body("{}").build());
    URI base = deployAtRoot(mockUpstream);
    RequestBody unknownLength =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return JSON;
          }

          @Override
          public long contentLength() {
            return -1; // sent chunked
          }

          @Override
          public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8(json);
          }
        };
    Request request =
        messages(base.resolve("/proxy/anthropic/v1/messages"))
            .newBuilder()
            .post(unknownLength)
            .build();

    try (Response response = client.newCall(request).execute()) {
      assertEquals(200, response.code());
    }
    RecordedRequest forwarded = mockUpstream.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(json.length(), forwarded.getBody().size());
    assertTrue(json.equals(forwarded.getBody().utf8()), "the body changed on its way upstream");
  }

  private MockWebServer mockUpstream() throws IOException {
    mockUpstream = new MockWebServer();
    mockUpstream.start();
    return mockUpstream;
  }

  private TestProxy proxy(MockWebServer upstream) {
    return proxy(upstream.url("/").toString());
  }

  private TestProxy proxy(String upstreamBaseUrl) {
    UpstreamClient nonBlocking = nonBlockingUpstream();
    proxy =
        nonBlocking == null
            ? new TestProxy(upstreamBaseUrl)
            : new TestProxy(upstreamBaseUrl, nonBlocking);
    return proxy;
  }

  /**
   * Deploys the proxy in front of a {@link RawUpstream} and sends it a streaming request without
   * waiting for the answer; returns once the upstream has the request, before it answers.
   */
  private InFlight sendThroughRawUpstream() throws Exception {
    rawUpstream = new RawUpstream();
    URI base = deployAtRoot(proxy(rawUpstream.baseUrl()));
    Call call = client.newCall(messages(base.resolve("/proxy/anthropic/v1/messages")));
    CompletableFuture<Response> answer = enqueue(call);
    return new InFlight(call, answer, rawUpstream.awaitRequest(WAIT));
  }

  /** A request on its way: the client's call, its answer to come, and the upstream's side. */
  private record InFlight(
      Call call, CompletableFuture<Response> answer, RawUpstream.Exchange upstream) {

    /** The answer, once its head has reached the client. */
    Response response() throws Exception {
      return answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** The proxy at the default mount of a root webapp, forwarding to {@code upstream}. */
  private URI deployAtRoot(MockWebServer upstream) throws Exception {
    return deployAtRoot(proxy(upstream));
  }

  private URI deployAtRoot(TestProxy proxy) throws Exception {
    return container.start(
        Container.Webapp.of(
            "",
            proxy.filter(LlmProxyFilter.DEFAULT_MOUNT_PATH, container.support()),
            new HostServlet()));
  }

  /** A streaming Messages request, authenticated with the user's proxy token. */
  private static Request messages(URI uri) {
    return new Request.Builder()
        .url(uri.toString())
        .header("x-api-key", TestProxy.TOKEN)
        .header("anthropic-version", "2023-06-01")
        .post(RequestBody.create(STREAM_REQUEST, JSON))
        .build();
  }

  private static Request get(URI uri) {
    return new Request.Builder().url(uri.toString()).header("x-api-key", TestProxy.TOKEN).build();
  }

  /** Sends {@code call} without waiting: its answer, once its head has arrived. */
  private static CompletableFuture<Response> enqueue(Call call) {
    CompletableFuture<Response> answer = new CompletableFuture<>();
    call.enqueue(
        new Callback() {
          @Override
          public void onResponse(Call call, Response response) {
            answer.complete(response);
          }

          @Override
          public void onFailure(Call call, IOException e) {
            answer.completeExceptionally(e);
          }
        });
    return answer;
  }

  /** The next server-sent event, up to and including the blank line that ends it. */
  private static String readEvent(BufferedSource body) throws IOException {
    StringBuilder event = new StringBuilder();
    String line;
    do {
      line = body.readUtf8LineStrict();
      event.append(line).append('\n');
    } while (!line.isEmpty());
    return event.toString();
  }

  private static String mediaType(Response response) {
    MediaType type = response.body().contentType();
    return type == null ? null : type.type() + "/" + type.subtype();
  }
}
