package dev.llmproxy.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The load script's streaming client: opens many concurrent SSE streams against the {@link
 * MockUpstream} (directly or through a proxy) and reports time to first byte and each event's delay
 * from the mock writing it to this client reading it.
 *
 * <p>Plain sockets and one thread per stream keep the client's own overhead small and identical for
 * every target. Stream starts are spread evenly over the ramp so that the measurement is of the
 * hop, not of a connection storm. Every wait is bounded by {@code timeout}.
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.llmproxy.bench.StreamLoad \
 *     --port 8080 --path /proxy/anthropic/v1/messages --token lp_sk_... \
 *     --streams 1000 --events 100 --interval-ms 50 --ramp-ms 1000 \
 *     --hop-pids 4242 --mock-pid 4141
 * }</pre>
 *
 * Prints {@code key=value} lines: microsecond percentiles and counts, and, over the measured pass,
 * the CPU time per event of the hop's processes ({@code --hop-pids}, comma-separated), the mock's
 * and this client's, and how busy the machine's cores were.
 */
public final class StreamLoad {
  private static final byte[] PATTERN = "text\":\"t".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STATUS_OK = "HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII);
  private static final String BODY =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Count to a hundred.\"}]}";

  private final int port;
  private final byte[] request;
  private final int streams;
  private final int events;
  private final long rampNanos;
  private final long deadlineNanos;
  private final List<Long> hopPids;
  private final List<Long> mockPids;
  private final List<Long> clientPid = List.of(ProcessHandle.current().pid());
  private final CpuTime cpu;

  private final long[] ttfb;
  private final long[] delays;
  private final AtomicInteger delayCount = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger corrupt = new AtomicInteger();

  private StreamLoad(Options options) {
    this.port = options.integer("port", 8080);
    this.streams = options.integer("streams", 100);
    this.events = options.integer("events", 100);
    int intervalMs = options.integer("interval-ms", 50);
    this.rampNanos = TimeUnit.MILLISECONDS.toNanos(options.integer("ramp-ms", 1000));
    long timeoutNanos = TimeUnit.SECONDS.toNanos(options.integer("timeout-s", 120));
    this.deadlineNanos = System.nanoTime() + timeoutNanos;
    this.hopPids = pids(options.text("hop-pids", ""));
    this.mockPids = pids(options.text("mock-pid", ""));
    this.cpu = new CpuTime(options.integer("clk-tck", 100));
    String token = options.text("token", "");
    String path =
        options.text("path", "/v1/messages")
            + "?stream=1&events="
            + events
            + "&interval_ms="
            + intervalMs;
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\n"
            + (token.isEmpty() ? "" : "x-api-key: " + token + "\r\n")
            + "content-length: "
            + BODY.length()
            + "\r\nconnection: close\r\n\r\n";
    this.request = (head + BODY).getBytes(StandardCharsets.US_ASCII);
    this.ttfb = new long[streams];
    this.delays = new long[streams * events];
  }

  /** Runs a warm-up pass (discarded, so that no JIT compiler is measured), then the real one. */
  public static void main(String[] args) throws InterruptedException {
    Options options = Options.parse(args);
    new StreamLoad(options).run(false);
    new StreamLoad(options).run(true);
  }

  private static List<Long> pids(String list) {
    return Arrays.stream(list.split(",")).filter(s -> !s.isBlank()).map(Long::valueOf).toList();
  }

  private void run(boolean print) throws InterruptedException {
    CpuSample cpuBefore = cpuNow();
    CountDownLatch done = new CountDownLatch(streams);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    for (int i = 0; i < streams; i++) {
      int stream = i;
      long startAt = start + rampNanos * i / streams;
      Thread thread =
          new Thread(
              null,
              () -> {
                try {
                  waitUntil(startAt);
                  stream(stream);
                } catch (IOException | RuntimeException e) {
                  failed.incrementAndGet();
                } finally {
                  done.countDown();
                }
              },
              "stream-" + i,
              256 * 1024);
      thread.setDaemon(true);
      thread.start();
    }
    boolean finished = done.await(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    CpuSample cpuAfter = cpuNow();
    if (print) {
      report(finished);
      reportCpu(cpuBefore, cpuAfter);
    }
  }

  /** CPU nanoseconds of the hop, the mock and this client, and the machine's ticks, at one time. */
  private record CpuSample(long hop, long mock, long client, CpuTime.MachineTicks machine) {}

  private CpuSample cpuNow() {
    return new CpuSample(
        cpu.processNanos(hopPids),
        cpu.processNanos(mockPids),
        cpu.processNanos(clientPid),
        CpuTime.machineTicks());
  }

  private void reportCpu(CpuSample before, CpuSample after) {
    int received = Math.max(1, Math.min(delays.length, delayCount.get()));
    perEvent("hop", hopPids, after.hop() - before.hop(), received);
    perEvent("mock", mockPids, after.mock() - before.mock(), received);
    perEvent("client", clientPid, after.client() - before.client(), received);
    long total = after.machine().total() - before.machine().total();
    if (total > 0) {
      long busy = after.machine().busy() - before.machine().busy();
      System.out.printf(Locale.ROOT, "machine_busy_pct=%.1f%n", 100.0 * busy / total);
    }
  }

  private static void perEvent(String name, List<Long> pids, long nanos, int events) {
    if (!pids.isEmpty()) {
      System.out.printf(Locale.ROOT, "%s_cpu_us_per_event=%.1f%n", name, nanos / 1_000.0 / events);
    }
  }

  private static void waitUntil(long nanos) {
    for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  /** One stream: send, time the first byte, then time every delta until the server closes. */
  private void stream(int index) throws IOException {
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining())));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      long sent = System.nanoTime();
      out.write(request);
      out.flush();
      byte[] buffer = new byte[16 * 1024];
      ByteArrayOutputStream raw = new ByteArrayOutputStream(4096); // to check byte for byte
      int n = in.read(buffer);
      long first = System.nanoTime();
      if (n < STATUS_OK.length
          || !Arrays.equals(buffer, 0, STATUS_OK.length, STATUS_OK, 0, STATUS_OK.length)) {
        failed.incrementAndGet();
        return;
      }
      ttfb[index] = first - sent;
      int received = 0;
      int matched = 0;
      long stamp = -1; // >= 0 while reading a timestamp's digits
      while (n >= 0) {
        raw.write(buffer, 0, n);
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (stamp >= 0) {
            if (b >= '0' && b <= '9') {
              stamp = stamp * 10 + (b - '0');
              continue;
            }
            record(now - stamp);
            received++;
            stamp = -1;
          }
          if (b == PATTERN[matched]) {
            if (++matched == PATTERN.length) {
              matched = 0;
              stamp = 0;
            }
          } else {
            matched = b == PATTERN[0] ? 1 : 0;
          }
        }
        n = in.read(buffer);
      }
      if (received != events) {
        failed.incrementAndGet();
      } else if (!StreamCheck.intact(raw.toByteArray())) {
        corrupt.incrementAndGet();
        failed.incrementAndGet();
      }
    }
  }

  private long remaining() {
    return deadlineNanos - System.nanoTime();
  }

  private void record(long delayNanos) {
    int slot = delayCount.getAndIncrement();
    if (slot < delays.length) {
      delays[slot] = delayNanos;
    }
  }

  private void report(boolean finished) {
    long[] firstBytes = Arrays.stream(ttfb).filter(t -> t > 0).sorted().toArray();
    long[] eventDelays = Arrays.copyOf(delays, Math.min(delays.length, delayCount.get()));
    Arrays.sort(eventDelays);
    System.out.printf(Locale.ROOT, "streams=%d%n", streams);
    System.out.printf(Locale.ROOT, "failed=%d%n", failed.get() + (finished ? 0 : 1));
    System.out.printf(Locale.ROOT, "corrupt=%d%n", corrupt.get());
    System.out.printf(Locale.ROOT, "events=%d%n", eventDelays.length);
    System.out.printf(Locale.ROOT, "ttfb_p50_us=%.1f%n", micros(firstBytes, 0.50));
    System.out.printf(Locale.ROOT, "ttfb_p99_us=%.1f%n", micros(firstBytes, 0.99));
    System.out.printf(Locale.ROOT, "event_p50_us=%.1f%n", micros(eventDelays, 0.50));
    System.out.printf(Locale.ROOT, "event_p99_us=%.1f%n", micros(eventDelays, 0.99));
    System.out.printf(Locale.ROOT, "event_max_us=%.1f%n", micros(eventDelays, 1.0));
  }

  private static double micros(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1_000.0;
  }
}
