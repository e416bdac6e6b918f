package dev.llmproxy.jettyclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.ByteBufferPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many answers at once, half of them failing (broken off, reset, malformed): every healthy answer
 * still arrives whole. Under Jetty 12.1's pooled buffers a failing connection could hand a buffer
 * it still used to another connection, and about one healthy answer in 2,500 lost bytes; {@code
 * -Dllmproxy.faultmix.pooled=true} runs this test on Jetty's default pool to see it fail.
 */
class FaultMixTest {
  private static final String[] KINDS = {"ok", "ok", "ok", "break", "reset", "malformed"};
  private static final int LOOPS = 16;

  @Test
  @Timeout(120)
  void failingConnectionsNeverDamageHealthyOnes() throws Exception {
    Duration duration = Duration.ofSeconds(Long.getLong("llmproxy.faultmix.seconds", 8));
    ByteBufferPool pool =
        Boolean.getBoolean("llmproxy.faultmix.pooled")
            ? new org.eclipse.jetty.io.ArrayByteBufferPool(0, 2048, 65536, Integer.MAX_VALUE)
            : null; // the pool Jetty's HttpClient makes by default, or the client's own
    try (ServerSocket server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
        JettyUpstreamClient client =
            new JettyUpstreamClient(Duration.ofSeconds(5), Duration.ofSeconds(5), null, pool)) {
      ExecutorService upstream = Executors.newCachedThreadPool();
      Thread acceptor = new Thread(() -> accept(server, upstream), "faultmix-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
      ExecutorService loops = Executors.newFixedThreadPool(LOOPS);
      AtomicInteger ids = new AtomicInteger();
      AtomicInteger healthy = new AtomicInteger();
      AtomicInteger damaged = new AtomicInteger();
      AtomicReference<String> first = new AtomicReference<>();
      long deadline = System.nanoTime() + duration.toNanos();
      List<Future<?>> runs = new ArrayList<>();
      for (int l = 0; l < LOOPS; l++) {
        Random random = new Random(l);
        runs.add(
            loops.submit(
                () -> {
                  while (System.nanoTime() < deadline) {
                    String kind = KINDS[random.nextInt(KINDS.length)];
                    int id = ids.incrementAndGet();
                    String got = exchange(client, server.getLocalPort(), kind, id);
                    if (kind.equals("ok")) {
                      healthy.incrementAndGet();
                      if (!got.equals(body(id, 8))) {
                        damaged.incrementAndGet();
                        first.compareAndSet(null, "answer " + id + ": " + got);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> run : runs) {
        run.get();
      }
      loops.shutdown();
      upstream.shutdownNow();
      assertTrue(healthy.get() > 1_000, "too few answers to tell: " + healthy);
      assertEquals(0, damaged.get(), damaged + " of " + healthy + " healthy answers: " + first);
    }
  }

  /** One request; the body as read, or what went wrong. */
  private static String exchange(JettyUpstreamClient client, int port, String kind, int id) {
    try {
      return client
          .newCall(
              new UpstreamRequest(
                  "POST",
                  "http://127.0.0.1:" + port + "/" + kind + "/" + id,
                  Headers.of("content-type", "application/json"),
                  "{}".getBytes(StandardCharsets.UTF_8)))
          .executeAsync()
          .thenCompose(FaultMixTest::readAll) // on Jetty's thread, as the proxy's pump does
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return "failed: " + e;
    }
  }

  private static CompletableFuture<String> readAll(UpstreamResponse response) {
    CompletableFuture<String> done = new CompletableFuture<>();
    NonBlockingBody body = response.nonBlockingBody().orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Runnable[] step = new Runnable[1];
    step[0] =
        () -> {
          byte[] buffer = new byte[8192];
          try {
            for (int n; (n = body.read(buffer, 0, buffer.length)) != 0; ) {
              if (n < 0) {
                response.close();
                done.complete(out.toString(StandardCharsets.UTF_8));
                return;
              }
              out.write(buffer, 0, n);
            }
            body.demand(step[0]);
          } catch (IOException e) {
            response.close();
            done.complete("broke: " + e + " after " + out.toString(StandardCharsets.UTF_8));
          }
        };
    step[0].run();
    return done;
  }

  private static String body(int id, int events) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < events; i++) {
      body.append("data: <").append(id).append(':').append(i).append(">\n\n");
    }
    return body.toString();
  }

  private static void accept(ServerSocket server, ExecutorService upstream) {
    while (true) {
      try {
        Socket socket = server.accept();
        upstream.execute(() -> answer(socket));
      } catch (IOException | RuntimeException e) {
        return; // closed
      }
    }
  }

  /** Reads the request, then answers as its path says: whole, broken off, reset or malformed. */
  private static void answer(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (head.indexOf("\r\n\r\n") < 0) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.append((char) b);
      }
      in.readNBytes(2); // {}
      String[] target = head.substring(head.indexOf(" ") + 2, head.indexOf(" HTTP")).split("/");
      String kind = target[0];
      int id = Integer.parseInt(target[1]);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < (kind.equals("ok") ? 8 : 3); i++) {
        String event = "data: <" + id + ":" + i + ">\n\n";
        out.write(
            (Integer.toHexString(event.length()) + "\r\n" + event + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      switch (kind) {
        case "ok" -> out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        case "reset" -> socket.setSoLinger(true, 0);
        case "malformed" -> {
          out.write("zz\r\ndata: x\n\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          while (in.read() >= 0) {
            // until the client hangs up
          }
        }
        default -> {} // break: close without the last chunk
      }
    } catch (IOException e) {
      // the client hung up
    }
  }
}
