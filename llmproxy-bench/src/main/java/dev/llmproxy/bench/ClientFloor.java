package dev.llmproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * What the pieces under a Java hop cost at light load, where latency rather than CPU is the limit:
 * one call at a time to {@link MockUpstream} every 5 ms (the CPUs idle in between, as under the
 * load script's paced runs), timed end to end with the calling thread's CPU time.
 *
 * <ul>
 *   <li>{@code okhttp}: a call through OkHttp, as the engine's upstream client makes it;
 *   <li>{@code socket}: the same request's bytes written to a plain blocking socket and the answer
 *       read back, with no client library in between;
 *   <li>{@code handoff}: no network; one thread hands a timestamp to another waiting on a {@link
 *       SynchronousQueue}, the way an exchange reaches its thread, and the receiver times the
 *       wake-up.
 * </ul>
 *
 * <p>Each mode is warmed up with 30,000 unpaced calls first. Usage: {@code ClientFloor
 * okhttp|socket|handoff [MOCK_PORT]} (default 18080, the mock's); prints p50, p90 and p99 of 4,000
 * calls.
 */
public final class ClientFloor {
  private static final int CALLS = 4_000;
  private static final int WARM_UP = 30_000;
  private static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final byte[] BODY =
      ("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")
          .getBytes(StandardCharsets.UTF_8);

  private ClientFloor() {}

  /** Runs one mode against the mock on {@code args[1]} (default 18080, the mock's) and prints. */
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "";
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 18080;
    long[] nanos = new long[CALLS];
    long[] cpu = new long[CALLS];
    switch (mode) {
      case "okhttp" -> okhttp(port, nanos, cpu);
      case "socket" -> socket(port, nanos, cpu);
      case "handoff" -> handoff(nanos);
      default -> {
        System.err.println("usage: ClientFloor okhttp|socket|handoff [MOCK_PORT]");
        System.exit(2);
      }
    }
    System.out.printf(Locale.ROOT, "%s: %s%n", mode, summary("latency", nanos));
    if (!mode.equals("handoff")) {
      System.out.printf(Locale.ROOT, "%s: %s%n", mode, summary("caller CPU", cpu));
    }
  }

  /** One request and its whole answer. */
  @FunctionalInterface
  private interface Call {
    void run() throws IOException;
  }

  /** Warms {@code call} up unpaced, then times {@link #CALLS} of it paced. */
  private static void measure(Call call, long[] nanos, long[] cpu) throws IOException {
    for (int i = 0; i < WARM_UP; i++) { // the JIT's turn
      call.run();
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < CALLS; i++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      call.run();
      nanos[i] = System.nanoTime() - start;
      cpu[i] = threads.getCurrentThreadCpuTime() - cpu0;
      LockSupport.parkNanos(GAP_NANOS);
    }
  }

  private static void okhttp(int port, long[] nanos, long[] cpu) throws IOException {
    OkHttpClient client = new OkHttpClient();
    Request request =
        new Request.Builder()
            .url("http://127.0.0.1:" + port + "/v1/messages")
            .header("x-api-key", "bench")
            .header("anthropic-version", "2023-06-01")
            .post(RequestBody.create(BODY, MediaType.get("application/json")))
            .build();
    measure(
        () -> {
          try (Response response = client.newCall(request).execute()) {
            if (!response.isSuccessful()) {
              throw new IOException("the mock answered " + response.code());
            }
            response.body().bytes();
          }
        },
        nanos,
        cpu);
    client.connectionPool().evictAll();
  }

  private static void socket(int port, long[] nanos, long[] cpu) throws IOException {
    // What OkHttp sends, header for header, so that only the client differs.
    byte[] head =
        ("POST /v1/messages HTTP/1.1\r\nx-api-key: bench\r\nanthropic-version: 2023-06-01\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + BODY.length
                + "\r\nHost: 127.0.0.1:"
                + port
                + "\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\n"
                + "User-Agent: okhttp/5\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] request = Arrays.copyOf(head, head.length + BODY.length);
    System.arraycopy(BODY, 0, request, head.length, BODY.length);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000); // a stalled mock fails the run instead of hanging it
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      measure(
          () -> {
            out.write(request);
            out.flush();
            readAnswer(in, buffer);
          },
          nanos,
          cpu);
    }
  }

  /** Reads one 200 answer of known length (the mock's JSON answer); fails on anything else. */
  private static void readAnswer(InputStream in, byte[] buffer) throws IOException {
    int length = 0;
    int total = -1; // head and body, once the head is in
    while (total < 0 || length < total) {
      if (length == buffer.length) {
        throw new IOException("an answer larger than " + buffer.length + " bytes");
      }
      int read = in.read(buffer, length, buffer.length - length);
      if (read < 0) {
        throw new IOException("the mock closed the connection");
      }
      length += read;
      if (total < 0) {
        String seen = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
        int headEnd = seen.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
          total = headEnd + 4 + contentLength(seen.substring(0, headEnd));
        }
      }
    }
  }

  private static int contentLength(String head) throws IOException {
    if (!head.startsWith("HTTP/1.1 200 ")) {
      throw new IOException("the mock answered " + head.lines().findFirst().orElse(""));
    }
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("content-length")) {
        return Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    throw new IOException("an answer without Content-Length");
  }

  private static void handoff(long[] nanos) throws InterruptedException {
    SynchronousQueue<Long> queue = new SynchronousQueue<>();
    Thread receiver =
        new Thread(
            () -> {
              try {
                for (int i = -WARM_UP; i < CALLS; i++) {
                  long sent = queue.take();
                  if (i >= 0) {
                    nanos[i] = System.nanoTime() - sent;
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    receiver.start();
    for (int i = 0; i < WARM_UP; i++) { // the JIT's turn
      queue.put(System.nanoTime());
    }
    for (int i = 0; i < CALLS; i++) {
      LockSupport.parkNanos(GAP_NANOS);
      queue.put(System.nanoTime());
    }
    receiver.join();
  }

  private static String summary(String what, long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return String.format(
        Locale.ROOT,
        "%s p50 %.1f µs, p90 %.1f µs, p99 %.1f µs",
        what,
        sorted[sorted.length / 2] / 1e3,
        sorted[sorted.length * 9 / 10] / 1e3,
        sorted[sorted.length * 99 / 100] / 1e3);
  }
}
