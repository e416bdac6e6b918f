package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The upstream idle timeout: a limit on silence, never on a call's length. */
class UpstreamIdleTimeoutTest {
  private static final Duration IDLE = Duration.ofSeconds(1);

  private final MockWebServer upstream = new MockWebServer();
  private final OkHttpUpstreamClient client =
      OkHttpUpstreamClient.builder().readTimeout(IDLE).build();

  @BeforeEach
  void start() throws IOException {
    upstream.start();
  }

  @AfterEach
  void stop() {
    client.close();
    upstream.close();
  }

  /** A stream whose first event is 30 s away: silent for far longer than the idle limit. */
  private void enqueueSilentStream() {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .body("data: 1\n\n")
            .bodyDelay(30, TimeUnit.SECONDS)
            .build());
  }

  private UpstreamResponse call() throws IOException {
    return newCall().execute();
  }

  private UpstreamCall newCall() {
    byte[] body = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
    return client.newCall(
        new UpstreamRequest(
            "POST",
            upstream.url("/v1/messages").toString(),
            Headers.of("content-type", "application/json"),
            body));
  }

  @Test
  void anUpstreamSilentBeforeItsHeadersTimesOut() throws Exception {
    upstream.enqueue(new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).build());
    long start = System.nanoTime();
    assertThrows(SocketTimeoutException.class, this::call);
    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the timeout, not the end");
  }

  @Test
  void aStreamSilentAfterItsHeadersTimesOutInTheBody() throws Exception {
    enqueueSilentStream();
    try (UpstreamResponse response = call()) {
      assertEquals(200, response.status());
      InputStream body = response.body();
      assertThrows(SocketTimeoutException.class, () -> body.read(new byte[64]));
    }
  }

  @Test
  void aStreamLongerThanTheTimeoutIsNotCutWhileBytesKeepComing() throws Exception {
    String events = "data: x\n\n".repeat(30); // 270 bytes, 9 every 100 ms: about 3 s in all
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .body(events)
            .throttleBody(9, 100, TimeUnit.MILLISECONDS)
            .build());
    long start = System.nanoTime();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (UpstreamResponse response = call()) {
      response.body().transferTo(received);
    }
    assertEquals(events, received.toString(StandardCharsets.UTF_8));
    assertTrue(
        System.nanoTime() - start > IDLE.toNanos() * 2, "the stream outlasted the idle limit");
  }

  @Test
  void anUpstreamThatStopsReadingTheRequestBodyTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // Accepts the connection and never reads: the body fills the socket buffers and stalls.
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket ignored = silent.accept()) {
                  Thread.sleep(30_000);
                } catch (IOException | InterruptedException e) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      try {
        byte[] body = new byte[32 * 1024 * 1024];
        var call =
            client.newCall(
                new UpstreamRequest(
                    "POST",
                    "http://127.0.0.1:" + silent.getLocalPort() + "/v1/messages",
                    Headers.of("content-type", "application/json"),
                    body));
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, call::execute);
        assertTrue(
            System.nanoTime() - start < IDLE.toNanos() * 5, "the idle limit, not another timeout");
        assertTrue(call.requestSent(), "the headers went out before the body stalled");
        assertFalse(call.isCanceled(), "a timeout is not the engine's cancel");
      } finally {
        acceptor.interrupt();
      }
    }
  }

  @Test
  void aCancelledCallFailsItsReadAndReportsTheCancelNotATimeout() throws Exception {
    enqueueSilentStream();
    UpstreamCall call = newCall();
    try (UpstreamResponse response = call.execute()) {
      call.cancel();
      IOException failure =
          assertThrows(IOException.class, () -> response.body().read(new byte[64]));
      assertFalse(failure instanceof SocketTimeoutException, failure.toString());
      assertTrue(call.isCanceled());
    }
  }

  @Test
  void anOrdinaryCallGoesThroughWhole() throws Exception {
    upstream.enqueue(new MockResponse.Builder().body("{\"ok\":true}").build());
    try (UpstreamResponse response = call()) {
      assertEquals(
          "{\"ok\":true}", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
    }
    var recorded = upstream.takeRequest();
    assertEquals("{\"model\":\"m\"}", recorded.getBody().utf8());
    assertEquals("13", recorded.getHeaders().get("content-length"));
    assertEquals("application/json", recorded.getHeaders().get("content-type"));
  }
}
