package dev.llmproxy.jettyclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cancel ends the upstream connection at once, through Jetty's own receiver (the socket's input
 * is shut, and the receiver reads the end): the client here would fall back to failing the exchange
 * from the cancelling thread only after five minutes, so each test passes only if the receiver
 * ended it. An upstream on a raw socket sees the connection close.
 */
@Timeout(30)
class CancelTest {
  private final JettyUpstreamClient client =
      JettyUpstreamClient.create(Duration.ofSeconds(5), Duration.ofMinutes(10));
  private final ServerSocket server;
  private final CompletableFuture<Socket> accepted = new CompletableFuture<>();
  private final CountDownLatch requestRead = new CountDownLatch(1);
  private final CountDownLatch hungUp = new CountDownLatch(1);

  CancelTest() throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void close() throws IOException {
    client.close();
    server.close();
  }

  @Test
  void aCancelWhileTheUpstreamThinksClosesItsConnection() throws Exception {
    serve(""); // never answers
    UpstreamCall call = post();
    CompletableFuture<UpstreamResponse> answer = call.executeAsync().toCompletableFuture();
    assertTrue(requestRead.await(10, TimeUnit.SECONDS), "the request never reached upstream");

    call.cancel();

    assertTrue(hungUp.await(10, TimeUnit.SECONDS), "the upstream connection stayed open");
    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> answer.get(10, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof IOException, failed.getCause().toString());
  }

  @Test
  void aCancelWhileTheBodyWaitsForBytesClosesItsConnection() throws Exception {
    serve(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "b\r\ndata: one\n\n\r\n"); // then silence, as a model thinking
    UpstreamCall call = post();
    try (UpstreamResponse response = call.execute()) {
      NonBlockingBody body = response.nonBlockingBody().orElseThrow();
      assertEquals("data: one\n\n", readUntilEmpty(body));
      CountDownLatch readable = new CountDownLatch(1);
      body.demand(readable::countDown);

      call.cancel();

      assertTrue(readable.await(10, TimeUnit.SECONDS), "the pending demand was never called back");
      assertThrows(IOException.class, () -> body.read(new byte[16], 0, 16));
      assertTrue(hungUp.await(10, TimeUnit.SECONDS), "the upstream connection stayed open");
    }
  }

  @Test
  void closingTheResponseFromAnotherThreadEndsABlockingRead() throws Exception {
    serve(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
    UpstreamResponse response = post().execute();
    InputStream body = response.body();
    CompletableFuture<Throwable> reading =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new AssertionError("read returned " + body.read());
              } catch (IOException e) {
                return e;
              }
            });
    // The reader blocks only once it has demanded: give it the chance, then close either way;
    // closing before its demand ends the body at once, which the reader sees just the same.
    assertThrows(
        java.util.concurrent.TimeoutException.class,
        () -> reading.get(200, TimeUnit.MILLISECONDS),
        "the read did not block on a silent body");

    response.close();

    assertTrue(reading.get(10, TimeUnit.SECONDS) instanceof IOException, "the read did not fail");
    assertTrue(hungUp.await(10, TimeUnit.SECONDS), "the upstream connection stayed open");
  }

  private UpstreamCall post() {
    return client.newCall(
        new UpstreamRequest(
            "POST",
            "http://127.0.0.1:" + server.getLocalPort() + "/v1/messages",
            Headers.of("content-type", "application/json"),
            "{}".getBytes(StandardCharsets.UTF_8)));
  }

  /** Accepts one connection, reads its request, sends {@code answer}, then waits for its end. */
  private void serve(String answer) {
    Thread upstream =
        new Thread(
            () -> {
              try (Socket socket = server.accept()) {
                accepted.complete(socket);
                InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (head.indexOf("\r\n\r\n") < 0) {
                  int b = in.read();
                  if (b < 0) {
                    return;
                  }
                  head.append((char) b);
                }
                in.readNBytes(2); // the body, {}
                requestRead.countDown();
                socket.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                while (in.read() >= 0) {
                  // nothing more comes from the proxy; wait for the connection to end
                }
              } catch (IOException e) {
                // reset: ended all the same
              }
              hungUp.countDown();
            },
            "raw-upstream");
    upstream.setDaemon(true);
    upstream.start();
  }

  private static String readUntilEmpty(NonBlockingBody body) throws Exception {
    StringBuilder text = new StringBuilder();
    byte[] buffer = new byte[64];
    while (true) {
      int n = body.read(buffer, 0, buffer.length);
      if (n > 0) {
        text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
      } else if (text.length() > 0) {
        return text.toString();
      } else {
        CountDownLatch readable = new CountDownLatch(1);
        body.demand(readable::countDown);
        assertTrue(readable.await(10, TimeUnit.SECONDS), "nothing arrived");
      }
    }
  }
}
