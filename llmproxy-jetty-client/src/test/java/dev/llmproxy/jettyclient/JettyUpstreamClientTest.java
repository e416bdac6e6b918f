package dev.llmproxy.jettyclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link JettyUpstreamClient} against MockWebServer, read through {@link NonBlockingBody}. */
class JettyUpstreamClientTest {
  private final JettyUpstreamClient client = JettyUpstreamClient.create();
  private final MockWebServer upstream = new MockWebServer();

  @AfterEach
  void close() throws IOException {
    client.close();
    upstream.close();
  }

  @Test
  void sendsTheRequestAsGivenAndReadsTheBodyWithoutBlocking() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .code(201)
            .addHeader("x-request-id", "r1")
            .body("data: one\n\ndata: two\n\n")
            .build());
    upstream.start();
    UpstreamCall call =
        client.newCall(
            new UpstreamRequest(
                "POST",
                upstream.url("/v1/messages?beta=true").toString(),
                Headers.of("content-type", "application/json", "x-api-key", "sk-test"),
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
    try (UpstreamResponse response = call.execute()) {
      assertTrue(call.requestSent());
      assertEquals(201, response.status());
      assertEquals("r1", response.headers().first("x-request-id").orElseThrow());
      assertEquals("data: one\n\ndata: two\n\n", readAll(response.nonBlockingBody().orElseThrow()));
    }
    RecordedRequest recorded = upstream.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("/v1/messages?beta=true", recorded.getTarget());
    assertEquals("{\"a\":1}", recorded.getBody().utf8());
    assertEquals("sk-test", recorded.getHeaders().get("x-api-key"));
    assertEquals("application/json", recorded.getHeaders().get("content-type"));
    assertNull(recorded.getHeaders().get("user-agent"), "Jetty must not add its own user agent");
    assertNull(recorded.getHeaders().get("accept-encoding"), "nor ask for compression");
  }

  @Test
  void aTargetIsSentAsReceivedSaveWhatNoUriMayHold() throws Exception {
    upstream.enqueue(new MockResponse.Builder().body("{}").build());
    upstream.start();
    String target = "/v1/messages?a=%zz&b=%&c=%00&d=%252e&e=|\u00e9 ";
    try (UpstreamResponse response =
        get(upstream.url("/").toString() + target.substring(1)).execute()) {
      assertEquals(200, response.status());
    }
    assertEquals(
        "/v1/messages?a=%25zz&b=%25&c=%00&d=%252e&e=%7C%C3%A9%20",
        upstream.takeRequest(5, TimeUnit.SECONDS).getTarget());
  }

  @Test
  void aTargetAUriMayHoldIsTheSameString() {
    String target = "/v1/messages?beta=true&x=%2F%e2%82%AC&y=a+b/c:d@e!$&'()*,;=~";
    assertTrue(target == JettyUpstreamClient.escaped(target), "no copy when nothing to escape");
  }

  @Test
  void aCompressedAnswerCrossesVerbatim() throws Exception {
    byte[] gzipped = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
    upstream.enqueue(
        new MockResponse.Builder()
            .addHeader("content-encoding", "gzip")
            .body(new Buffer().write(gzipped))
            .build());
    upstream.start();
    try (UpstreamResponse response = get(upstream.url("/").toString()).execute()) {
      assertEquals("gzip", response.headers().first("content-encoding").orElseThrow());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      response.body().transferTo(bytes);
      assertArrayEquals(gzipped, bytes.toByteArray());
    }
  }

  @Test
  void headersAndBodiesLargerThanTheReadBufferArriveWhole() throws Exception {
    String large = "v".repeat(3 * JettyUpstreamClient.RESPONSE_BUFFER_BYTES);
    String body = "data: " + "x".repeat(5 * JettyUpstreamClient.RESPONSE_BUFFER_BYTES) + "\n\n";
    upstream.enqueue(new MockResponse.Builder().addHeader("x-large", large).body(body).build());
    upstream.start();
    try (UpstreamResponse response = get(upstream.url("/").toString()).execute()) {
      assertEquals(large, response.headers().first("x-large").orElseThrow());
      assertEquals(body, readAll(response.nonBlockingBody().orElseThrow()));
    }
  }

  @Test
  void aRefusedConnectionFailsTheCallBeforeTheRequestWasSent() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    UpstreamCall call = get("http://127.0.0.1:" + port + "/");
    assertThrows(IOException.class, call::execute);
    assertFalse(call.requestSent(), "a request that never left must not be charged");
  }

  @Test
  void cancellingFailsTheBodyBeingRead() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .addHeader("content-type", "text/event-stream")
            .chunkedBody("data: one\n\n", 64)
            .bodyDelay(10, TimeUnit.SECONDS)
            .build());
    upstream.start();
    UpstreamCall call = get(upstream.url("/").toString());
    try (UpstreamResponse response = call.execute()) {
      NonBlockingBody body = response.nonBlockingBody().orElseThrow();
      byte[] buffer = new byte[64];
      assertEquals(0, body.read(buffer, 0, buffer.length), "nothing has arrived yet");
      CountDownLatch readable = new CountDownLatch(1);
      body.demand(readable::countDown);

      call.cancel();

      assertTrue(readable.await(5, TimeUnit.SECONDS), "the demand was not called back");
      assertThrows(IOException.class, () -> body.read(buffer, 0, buffer.length));
      assertTrue(call.isCanceled());
    }
  }

  @Test
  void aBodySilentLongerThanTheIdleTimeoutFails() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .addHeader("content-type", "text/event-stream")
            .chunkedBody("data: one\n\n", 64)
            .bodyDelay(30, TimeUnit.SECONDS)
            .build());
    upstream.start();
    try (JettyUpstreamClient impatient =
            JettyUpstreamClient.create(Duration.ofSeconds(5), Duration.ofMillis(300));
        UpstreamResponse response =
            impatient
                .newCall(
                    new UpstreamRequest(
                        "GET", upstream.url("/").toString(), Headers.empty(), new byte[0]))
                .execute()) {
      NonBlockingBody body = response.nonBlockingBody().orElseThrow();
      byte[] buffer = new byte[64];
      assertEquals(0, body.read(buffer, 0, buffer.length));
      CountDownLatch readable = new CountDownLatch(1);
      body.demand(readable::countDown);
      assertTrue(readable.await(5, TimeUnit.SECONDS), "the silent body never timed out");
      assertThrows(IOException.class, () -> body.read(buffer, 0, buffer.length));
    }
  }

  private UpstreamCall get(String url) {
    return client.newCall(new UpstreamRequest("GET", url, Headers.empty(), new byte[0]));
  }

  /** Reads the whole body through read and demand, as the proxy's pump does. */
  private static String readAll(NonBlockingBody body) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[4];
    while (true) {
      int n = body.read(buffer, 0, buffer.length);
      if (n < 0) {
        return all.toString(StandardCharsets.UTF_8);
      }
      if (n > 0) {
        all.write(buffer, 0, n);
      } else {
        CountDownLatch readable = new CountDownLatch(1);
        body.demand(readable::countDown);
        assertTrue(readable.await(5, TimeUnit.SECONDS), "the demand was not called back");
      }
    }
  }
}
