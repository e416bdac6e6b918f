package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.ProxyEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mixed load through the real example, on loopback: JSON answers and streams, clients that leave
 * before the first byte or mid-stream, and an upstream that breaks off, resets, sends a malformed
 * chunk, answers an error or never answers. Afterwards nothing is left behind and the books
 * balance:
 *
 * <ul>
 *   <li>threads: every thread the server started has ended once it is closed;
 *   <li>sockets: as many open as before the load, in the proxy's process and at the upstream;
 *   <li>holds: none left in the ledger ({@code llmproxy_holds}, the example's JDBC ledger on H2);
 *   <li>heap: back to its size before the load after a GC, within {@link #HEAP_TOLERANCE_BYTES};
 *   <li>money: every token's {@code spent_usd} is the sum of its audit lines' {@code cost_usd}, to
 *       the nano-dollar.
 * </ul>
 *
 * <p>Runs {@code llmproxy.soak.seconds} (10 in the normal build; {@code -Psoak} runs it for 120).
 */
class SoakTest {
  private static final int CLIENTS = 8;
  private static final int TOKENS = 4;

  /**
   * What the heap may keep after the load: the JIT's and the pools' warm state, Jetty's and H2's
   * caches grown to the load's peak. A leak of one object per exchange grows past it within the
   * 2-minute run.
   */
  private static final long HEAP_TOLERANCE_BYTES = 24L << 20;

  /**
   * Threads that are not the server's: the JVM's and OkHttp's shared ones, which idle out after a
   * minute (OkHttp's task runner names its thread after the task it runs, such as a closed client's
   * "ConnectionPool connection closer"), and the test's own HTTP client.
   */
  private static final List<String> NOT_THE_SERVERS =
      List.of(
          "OkHttp TaskRunner",
          "OkHttp ConnectionPool",
          "Okio Watchdog",
          "ForkJoinPool.commonPool-",
          "HttpClient-");

  @TempDir Path dataDir;

  /** Each request's number, counted down when the upstream has the request. */
  private static final Map<String, java.util.concurrent.CountDownLatch> ARRIVED =
      new ConcurrentHashMap<>();

  private static final AtomicInteger NUMBERS = new AtomicInteger();

  /** What the client asks for and how it behaves; the upstream reads it from the request. */
  enum Scenario {
    JSON(30),
    STREAM(30),
    CLIENT_LEAVES_MID_STREAM(8),
    CLIENT_LEAVES_BEFORE_ANSWER(5),
    UPSTREAM_BREAKS_OFF(8),
    UPSTREAM_RESETS(5),
    MALFORMED_CHUNK(5),
    UPSTREAM_ERROR(7),
    UPSTREAM_SILENT(2);

    final int weight;

    Scenario(int weight) {
      this.weight = weight;
    }

    /** The scenarios to run: all, or those {@code llmproxy.soak.only} names (comma-separated). */
    static final List<Scenario> RUN =
        Stream.of(values())
            .filter(
                s ->
                    System.getProperty("llmproxy.soak.only", "").isBlank()
                        || List.of(System.getProperty("llmproxy.soak.only").split(","))
                            .contains(s.name()))
            .toList();

    static Scenario pick(Random random) {
      if (RUN.isEmpty()) {
        throw new IllegalArgumentException(
            "llmproxy.soak.only names no scenario of " + List.of(values()));
      }
      int total = RUN.stream().mapToInt(s -> s.weight).sum();
      int at = random.nextInt(total);
      for (Scenario scenario : RUN) {
        at -= scenario.weight;
        if (at < 0) {
          return scenario;
        }
      }
      throw new AssertionError();
    }

    static Scenario of(String body) {
      for (Scenario scenario : values()) {
        if (body.contains("scenario:" + scenario.name() + "\"")) {
          return scenario;
        }
      }
      throw new AssertionError("no scenario in " + body);
    }
  }

  @Test
  @Timeout(300)
  void underMixedLoadWithFaultsNothingLeaksAndEveryTokensSpendEqualsItsAuditLines()
      throws Exception {
    Duration duration = Duration.ofSeconds(Long.getLong("llmproxy.soak.seconds", 10));
    long seed = Long.getLong("llmproxy.soak.seed", System.nanoTime());
    Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();

    FaultyUpstream upstream = new FaultyUpstream();
    upstream.serve(SoakTest::answer);
    Map<String, String> env = new HashMap<>();
    env.put("LLMPROXY_ANTHROPIC_BASE_URL", upstream.baseUrl());
    env.put("LLMPROXY_TIER_RATES", "free=0");
    env.put("LLMPROXY_UPSTREAM_IDLE_TIMEOUT_SECONDS", "2");
    env.put("LLMPROXY_JDBC_URL", "jdbc:h2:" + dataDir.resolve("soak") + ";MODE=PostgreSQL");
    ProxyFixture fixture = new ProxyFixture(env);
    AtomicInteger settled = new AtomicInteger();
    Thread counter = countEvents(fixture, settled);
    List<String> tokens = new ArrayList<>();
    Map<String, String> tokenIds = new HashMap<>();
    for (int i = 0; i < TOKENS; i++) {
      JsonNode issued = fixture.issue("{\"user\":\"soak-" + i + "\"}");
      tokens.add(issued.get("token").asText());
      tokenIds.put(issued.get("id").asText(), issued.get("token").asText());
    }
    int port = fixture.server.port();

    // Warm up, so pools, caches and the JIT are at their working size before counting.
    int warmUp = 0;
    for (Scenario scenario : Scenario.values()) {
      exchange(port, tokens.get(warmUp++ % TOKENS), scenario);
    }
    awaitSettled(settled, warmUp);
    long heapBefore = heapAfterGc();
    long socketsBefore = awaitSockets(Long.MAX_VALUE);

    ManagementFactory.getThreadMXBean().resetPeakThreadCount();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    Map<Scenario, AtomicInteger> counts = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + duration.toNanos();
    List<Future<Integer>> runs = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      Random random = new Random(seed + c);
      runs.add(
          clients.submit(
              () -> {
                int sent = 0;
                while (System.nanoTime() < deadline) {
                  Scenario scenario = Scenario.pick(random);
                  exchange(port, tokens.get(random.nextInt(TOKENS)), scenario);
                  counts.computeIfAbsent(scenario, s -> new AtomicInteger()).incrementAndGet();
                  sent++;
                }
                return sent;
              }));
    }
    int sent = warmUp;
    for (Future<Integer> run : runs) {
      sent += run.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
    }
    clients.shutdown();
    awaitSettled(settled, sent);
    int peakThreads = ManagementFactory.getThreadMXBean().getPeakThreadCount();
    fixture.server.flushAudit();

    // Sockets: the proxy's process holds as many as before; the upstream has none open.
    long socketsAfter = awaitSockets(socketsBefore);
    assertTrue(
        socketsAfter <= socketsBefore,
        "sockets open: " + socketsBefore + " before, " + socketsAfter + " after");
    assertEquals(0, awaitUpstreamIdle(upstream), "upstream connections left open");

    // Holds: every exchange settled its own.
    try (Connection c = fixture.server.state().database.getConnection();
        Statement s = c.createStatement();
        ResultSet holds = s.executeQuery("SELECT COUNT(*) FROM llmproxy_holds")) {
      holds.next();
      assertEquals(0, holds.getLong(1), "holds left in the ledger");
    }

    // Money: spent_usd is the sum of the audit lines' cost_usd, token by token.
    Map<String, BigDecimal> audited = spendByToken(fixture.dataDir().resolve("audit.jsonl"), sent);
    HttpResponse<String> list =
        fixture.http.send(
            HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer " + ProxyFixture.ADMIN_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    for (JsonNode token : ProxyFixture.json(list.body()).get("tokens")) {
      String id = token.get("id").asText();
      if (!tokenIds.containsKey(id)) {
        continue; // the fixture's own token, unused
      }
      long spent = token.get("spent_usd").decimalValue().movePointRight(9).longValueExact();
      long sum = audited.getOrDefault(id, BigDecimal.ZERO).movePointRight(9).longValueExact();
      assertTrue(spent > 0, "token " + id + " spent nothing: the load did not reach it");
      assertEquals(sum, spent, "token " + id + ": spent_usd against its audit lines, in nano-USD");
    }

    // Heap: back to where it was, once the load's garbage is collected.
    long heapAfter = heapAfterGc();
    assertTrue(
        heapAfter - heapBefore < HEAP_TOLERANCE_BYTES,
        "heap " + (heapBefore >> 20) + " MiB before, " + (heapAfter >> 20) + " MiB after");

    // Threads: once the server is closed, every thread it started ends.
    counter.interrupt();
    fixture.close();
    upstream.close();
    List<String> leaked = awaitThreadsEnded(threadsBefore, Duration.ofSeconds(15));
    assertTrue(leaked.isEmpty(), "threads still running after close: " + leaked);

    System.out.printf(
        "soak: %d s, seed %d, %d exchanges %s; threads %d before, peak %d, %d after close;"
            + " sockets %d before, %d after; heap %d MiB before, %d MiB after%n",
        duration.toSeconds(),
        seed,
        sent,
        counts,
        threadsBefore.size(),
        peakThreads,
        Thread.getAllStackTraces().size(),
        socketsBefore,
        socketsAfter,
        heapBefore >> 20,
        heapAfter >> 20);
  }

  /**
   * The audit log's cost per token, checking it has one line per exchange. Its lines are not kept:
   * the heap is measured after this, and a run of 70,000 exchanges reads 40 MiB of them.
   */
  private static Map<String, BigDecimal> spendByToken(Path auditLog, int exchanges)
      throws IOException {
    Map<String, BigDecimal> audited = new HashMap<>();
    int lines = 0;
    try (java.io.BufferedReader reader = Files.newBufferedReader(auditLog)) {
      for (String line; (line = reader.readLine()) != null; lines++) {
        JsonNode audit = ProxyFixture.json(line);
        if (audit.hasNonNull("token_id")) {
          audited.merge(
              audit.get("token_id").asText(),
              audit.get("cost_usd").decimalValue(),
              BigDecimal::add);
        }
      }
    }
    assertEquals(exchanges, lines, "one audit line per exchange");
    return audited;
  }

  /** One exchange on a connection of its own, as {@code scenario} says; checks what it got. */
  private static void exchange(int port, String token, Scenario scenario)
      throws IOException, InterruptedException {
    int number = NUMBERS.incrementAndGet();
    boolean stream = scenario != Scenario.JSON && scenario != Scenario.UPSTREAM_ERROR;
    String body =
        "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":200,\"stream\":"
            + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"scenario:"
            + scenario.name()
            + "\"}],\"metadata\":{\"user_id\":\"n"
            + number
            + "\"}}";
    var arrived = new java.util.concurrent.CountDownLatch(1);
    ARRIVED.put("n" + number, arrived);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      out.write(
          ("POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                  + token
                  + "\r\ncontent-type: application/json\r\ncontent-length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      switch (scenario) {
        case CLIENT_LEAVES_BEFORE_ANSWER -> {
          // Leaves once the upstream has the request, while it is still thinking.
          assertTrue(arrived.await(10, TimeUnit.SECONDS), "the request never reached upstream");
          return;
        }
        case CLIENT_LEAVES_MID_STREAM -> {
          try {
            readUntil(in, "message_start");
          } catch (IOException e) {
            throw new IOException("n" + number + ": " + e.getMessage(), e);
          }
          return;
        }
        default -> {}
      }
      Answer got = Answer.read(in);
      String answer = got.text();
      String status = answer.substring(0, Math.min(12, answer.length()));
      boolean complete = got.complete();
      switch (scenario) {
        case JSON, STREAM -> {
          assertEquals("HTTP/1.1 200", status, scenario + ": " + answer);
          assertTrue(complete && answer.contains("end_turn"), scenario + ": " + answer);
          // The upstream names the exchange in each stream's first event: no other may appear.
          java.util.regex.Matcher named =
              java.util.regex.Pattern.compile("\"n\":\"(n\\d+)\"").matcher(answer);
          int own = 0;
          while (named.find()) {
            assertEquals("n" + number, named.group(1), "another exchange's bytes: " + answer);
            own++;
          }
          assertEquals(scenario == Scenario.STREAM ? 1 : 0, own, "its own first event: " + answer);
        }
        case UPSTREAM_ERROR -> assertEquals("HTTP/1.1 529", status, scenario + ": " + answer);
        case UPSTREAM_SILENT -> assertEquals("HTTP/1.1 502", status, scenario + ": " + answer);
        default -> { // broke off, reset, malformed: started, then never a clean end
          assertEquals("HTTP/1.1 200", status, scenario + ": " + answer);
          assertTrue(!complete, scenario + ": a broken stream ended cleanly: " + answer);
        }
      }
    }
  }

  /** The upstream's side of each scenario. */
  private static void answer(FaultyUpstream.Exchange exchange)
      throws IOException, InterruptedException {
    Scenario scenario = Scenario.of(exchange.body());
    java.util.regex.Matcher number =
        java.util.regex.Pattern.compile("\"user_id\":\"(n\\d+)\"").matcher(exchange.body());
    String who = number.find() ? number.group(1) : "?";
    if (!who.equals("?")) {
      var arrived = ARRIVED.remove(who);
      if (arrived != null) {
        arrived.countDown();
      }
    }
    String json =
        "{\"id\":\"msg_soak\",\"stop_reason\":\"end_turn\","
            + "\"usage\":{\"input_tokens\":30,\"output_tokens\":40}}";
    switch (scenario) {
      case JSON ->
          exchange.send(
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                  + "Content-Length: "
                  + json.length()
                  + "\r\n\r\n"
                  + json);
      case UPSTREAM_ERROR -> {
        String error = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}";
        exchange.send(
            "HTTP/1.1 529 Overloaded\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Content-Length: "
                + error.length()
                + "\r\n\r\n"
                + error);
      }
      case UPSTREAM_SILENT, CLIENT_LEAVES_BEFORE_ANSWER ->
          exchange.awaitHangUp(Duration.ofSeconds(10)); // until the proxy gives up on it
      default -> {
        // Connection: close, as every answer here: this upstream serves one request a connection.
        exchange.send(FaultyUpstream.SSE_HEAD.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
        exchange.sendChunk(
            FaultyUpstream.MESSAGE_START.replace("{\"type\"", "{\"n\":\"" + who + "\",\"type\""));
        for (int i = 0; i < 5; i++) {
          exchange.sendChunk(FaultyUpstream.DELTA);
        }
        switch (scenario) {
          case STREAM -> {
            exchange.sendChunk(
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                    + "\"end_turn\"},\"usage\":{\"output_tokens\":40}}\n\n");
            exchange.sendChunk("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
            exchange.endChunks();
          }
          case UPSTREAM_BREAKS_OFF -> exchange.breakOff();
          case UPSTREAM_RESETS -> exchange.reset();
          case MALFORMED_CHUNK -> {
            exchange.send("zz\r\n" + FaultyUpstream.DELTA + "\r\n");
            exchange.awaitHangUp(Duration.ofSeconds(10));
          }
          default -> // CLIENT_LEAVES_MID_STREAM: stream on until the proxy hangs up
              exchange.streamUntilHangUp(
                  "event: ping\ndata: {\"type\":\"ping\",\"n\":\"" + who + "\"}\n\n",
                  Duration.ofSeconds(10));
        }
      }
    }
  }

  private static void readUntil(InputStream in, String text) throws IOException {
    StringBuilder seen = new StringBuilder();
    while (seen.indexOf(text) < 0) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before '" + text + "': " + seen);
      }
      seen.append((char) b);
    }
  }

  /** An answer as far as it came, and whether its framing says it ended (not broken off). */
  private record Answer(String text, boolean complete) {

    /** Reads one answer: its head, then a body framed by its length or its chunks. */
    static Answer read(InputStream in) throws IOException {
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      try {
        String head = line(in, seen);
        for (String line = head; !line.isEmpty(); line = line(in, seen)) {
          head += "\n" + line;
        }
        String lower = head.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("transfer-encoding: chunked")) {
          for (int size; (size = Integer.parseInt(line(in, seen), 16)) > 0; ) {
            seen.write(in.readNBytes(size));
            line(in, seen);
          }
          line(in, seen);
          return new Answer(seen.toString(StandardCharsets.UTF_8), true);
        }
        java.util.regex.Matcher length =
            java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(lower);
        int expected = length.find() ? Integer.parseInt(length.group(1)) : 0;
        byte[] body = in.readNBytes(expected);
        seen.write(body);
        return new Answer(seen.toString(StandardCharsets.UTF_8), body.length == expected);
      } catch (IOException | NumberFormatException broken) { // reset, or closed mid-frame
        return new Answer(seen.toString(StandardCharsets.UTF_8), false);
      }
    }

    private static String line(InputStream in, ByteArrayOutputStream seen) throws IOException {
      StringBuilder line = new StringBuilder();
      for (int b; (b = in.read()) != '\n'; ) {
        if (b < 0) {
          throw new IOException("closed mid-line");
        }
        seen.write(b);
        line.append((char) b);
      }
      seen.write('\n');
      return line.toString().strip();
    }
  }

  /** Counts the proxy's events as they come, keeping none. */
  private static Thread countEvents(ProxyFixture fixture, AtomicInteger settled) {
    Thread counter =
        new Thread(
            () -> {
              try {
                while (true) {
                  ProxyEvent event = fixture.events.take();
                  if (event != null) {
                    synchronized (settled) {
                      settled.incrementAndGet();
                      settled.notifyAll();
                    }
                  }
                }
              } catch (InterruptedException e) {
                // the test is done
              }
            },
            "soak-event-counter");
    counter.setDaemon(true);
    counter.start();
    return counter;
  }

  /** Waits until {@code count} exchanges have published their event: all settled. */
  private static void awaitSettled(AtomicInteger settled, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    synchronized (settled) {
      while (settled.get() < count) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError(settled.get() + " of " + count + " exchanges settled");
        }
        settled.wait(left);
      }
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * This process's open sockets, once they are at most {@code target} or 10 s have passed. No event
   * says that the server closed a connection's socket, so this polls the count.
   */
  private static long awaitSockets(long target) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long sockets = openSockets();
    while (sockets > target && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling a count: no event exists for a closed descriptor
      sockets = openSockets();
    }
    return sockets;
  }

  private static long openSockets() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                  return false; // closed while listing
                }
              })
          .count();
    }
  }

  /** The upstream's open connections once none is left, or after 10 s. */
  private static int awaitUpstreamIdle(FaultyUpstream upstream) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (upstream.openConnections() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling a count: its handlers end on their own
    }
    return upstream.openConnections();
  }

  /** Joins every thread started since {@code before}; the names of those still alive after. */
  private static List<String> awaitThreadsEnded(Set<Thread> before, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    List<String> alive = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (before.contains(thread)
          || NOT_THE_SERVERS.stream().anyMatch(thread.getName()::startsWith)) {
        continue;
      }
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (thread.isAlive()) {
        alive.add(thread.getName());
      }
    }
    return alive;
  }
}
