package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Balance;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Usage;
import dev.llmproxy.core.OkHttpUpstreamClient;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upstream misbehaves, on real sockets, through the real example server: each fault ends in an
 * answer the client can tell from success (a 502 envelope before the answer, an abnormal end after
 * it), a closed upstream connection, and one settled event whose cost is the usage reported so far.
 * Clients that leave or stop reading cancel or pause the upstream, never the other streams.
 */
@Timeout(30) // a protection that fails may leave a read waiting forever
class UpstreamFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String STREAM_REQUEST =
      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":100,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}";

  /** 20 input and 1 output tokens of claude-haiku-4-5 ($1 and $5 per million), in nano-USD. */
  private static final long MESSAGE_START_COST = 20 * 1_000 + 5_000;

  private FaultyUpstream upstream;
  private ProxyFixture fixture;
  private String tokenId;
  private String token;

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** The example in front of a {@link FaultyUpstream}, with {@code env} on top. */
  private void start(Map<String, String> env) throws Exception {
    upstream = new FaultyUpstream();
    Map<String, String> environment = new HashMap<>(env);
    environment.put("LLMPROXY_ANTHROPIC_BASE_URL", upstream.baseUrl());
    environment.put("LLMPROXY_TIER_RATES", "free=0");
    fixture = new ProxyFixture(environment);
    JsonNode issued = fixture.issue("{\"user\":\"faults\"}");
    tokenId = issued.get("id").asText();
    token = issued.get("token").asText();
  }

  private void start() throws Exception {
    start(Map.of());
  }

  private HttpRequest streamRequest() {
    return HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(STREAM_REQUEST))
        .build();
  }

  /** Sends a stream request, answers it with the SSE head and {@code MESSAGE_START}. */
  private Streaming openStream() throws Exception {
    var answer = fixture.http.sendAsync(streamRequest(), HttpResponse.BodyHandlers.ofInputStream());
    FaultyUpstream.Exchange exchange = upstream.awaitRequest(WAIT);
    exchange.send(FaultyUpstream.SSE_HEAD);
    exchange.sendChunk(FaultyUpstream.MESSAGE_START);
    HttpResponse<InputStream> response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    BufferedReader body =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    assertEquals("event: message_start", body.readLine());
    assertTrue(body.readLine().startsWith("data: "));
    assertEquals("", body.readLine());
    return new Streaming(exchange, body);
  }

  private record Streaming(FaultyUpstream.Exchange upstream, BufferedReader body) {
    /** Reads to the end; a broken stream throws instead of ending. */
    String rest() throws IOException {
      StringBuilder rest = new StringBuilder();
      for (String line; (line = body.readLine()) != null; ) {
        rest.append(line).append('\n');
      }
      return rest.toString();
    }
  }

  private Balance balance() {
    try {
      return fixture.server.state().ledger().balance(tokenId);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The event of a stream cut after its first event: what it reported so far, flagged. */
  private void assertSettledWithUsageSoFar(ProxyEvent event, Outcome outcome) {
    assertEquals(outcome, event.outcome());
    assertEquals(new Usage(20, 1, 0, 0), event.usage());
    assertEquals(MESSAGE_START_COST, event.costNanoUsd());
    assertTrue(event.costEstimated(), "no final usage: flagged as an estimate");
    assertEquals(new Balance(1, MESSAGE_START_COST), balance(), "booked, no hold left");
  }

  /** A 502 in Anthropic's envelope, nothing of the upstream's bytes in it. */
  private static void assertBadGateway(HttpResponse<String> response) throws IOException {
    assertEquals(502, response.statusCode(), response.body());
    JsonNode error = ProxyFixture.json(response.body());
    assertEquals("error", error.get("type").asText());
    assertEquals("api_error", error.get("error").get("type").asText());
  }

  @Test
  void anUpstreamClosingMidStreamEndsTheClientsStreamAbnormallyAndBooksTheUsageSoFar()
      throws Exception {
    start();
    Streaming stream = openStream();

    stream.upstream().breakOff(); // FIN without the final chunk

    assertThrows(IOException.class, stream::rest, "a broken stream must not end cleanly");
    assertSettledWithUsageSoFar(fixture.nextEvent(), Outcome.UPSTREAM_ERROR);
  }

  @Test
  void anUpstreamResettingMidStreamEndsTheClientsStreamAbnormally() throws Exception {
    start();
    Streaming stream = openStream();

    stream.upstream().reset(); // RST

    assertThrows(IOException.class, stream::rest, "a reset stream must not end cleanly");
    assertSettledWithUsageSoFar(fixture.nextEvent(), Outcome.UPSTREAM_ERROR);
  }

  @Test
  void aMalformedChunkEndsTheClientsStreamAbnormally() throws Exception {
    start();
    Streaming stream = openStream();

    stream.upstream().send("zz\r\n" + FaultyUpstream.DELTA + "\r\n"); // not a hex chunk size

    assertThrows(IOException.class, stream::rest, "a malformed stream must not end cleanly");
    assertSettledWithUsageSoFar(fixture.nextEvent(), Outcome.UPSTREAM_ERROR);
    assertTrue(stream.upstream().awaitHangUp(WAIT), "the broken connection is closed, not reused");
  }

  @Test
  void anUpstreamResettingBeforeItsAnswerGets502() throws Exception {
    start();
    var answer = fixture.http.sendAsync(streamRequest(), HttpResponse.BodyHandlers.ofString());
    upstream.awaitRequest(WAIT).reset();

    assertBadGateway(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(Outcome.UPSTREAM_ERROR, fixture.nextEvent().outcome());
  }

  @Test
  void aMalformedStatusLineGets502AndNoneOfItsBytes() throws Exception {
    start();
    var answer = fixture.http.sendAsync(streamRequest(), HttpResponse.BodyHandlers.ofString());
    upstream
        .awaitRequest(WAIT)
        .send("HTTP/1.1 2OO OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nbogus");

    HttpResponse<String> response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertBadGateway(response);
    assertFalse(response.body().contains("bogus"), response.body());
    assertEquals(502, fixture.nextEvent().status());
  }

  @Test
  void anUpstreamThatNeverAnswersGets502AfterTheIdleTimeoutAndItsConnectionClosed()
      throws Exception {
    start(Map.of("LLMPROXY_UPSTREAM_IDLE_TIMEOUT_SECONDS", "1"));
    long sent = System.nanoTime();
    var answer = fixture.http.sendAsync(streamRequest(), HttpResponse.BodyHandlers.ofString());
    FaultyUpstream.Exchange silent = upstream.awaitRequest(WAIT); // accepted, read, never answered

    assertBadGateway(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
    assertTrue(waited >= 1_000, "answered before the idle timeout: " + waited + " ms");
    assertTrue(silent.awaitHangUp(WAIT), "the proxy left the upstream connection open");
    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.UPSTREAM_ERROR, event.outcome());
    assertTrue(event.costEstimated(), "sent, never answered: an estimate of the input alone");
    assertEquals(new Balance(1, event.costNanoUsd()), balance());
  }

  @Test
  void aStreamSilentForMostOfTheIdleTimeoutThenContinuingIsNotCut() throws Exception {
    // Scaled down: a 2 s idle timeout and a 1.5 s silence. Out of the box the idle timeout is
    // 600 s (defaultsTolerateSilencesOfSeveralMinutes), so a silence of over a minute is 10% of it.
    start(Map.of("LLMPROXY_UPSTREAM_IDLE_TIMEOUT_SECONDS", "2"));
    Streaming stream = openStream();

    stream.upstream().sendChunk(FaultyUpstream.DELTA);
    Thread.sleep(1_500); // the fault under test is the silence itself
    stream.upstream().sendChunk(FaultyUpstream.END);
    stream.upstream().endChunks();

    String rest = stream.rest();
    assertTrue(rest.contains("tick") && rest.endsWith("message_stop\"}\n\n"), rest);
    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.OK, event.outcome());
    assertEquals(new Usage(20, 50, 0, 0), event.usage());
    assertFalse(event.costEstimated());
  }

  @Test
  void anAnswerAfterASilenceOfMostOfTheIdleTimeoutIsNotCut() throws Exception {
    start(Map.of("LLMPROXY_UPSTREAM_IDLE_TIMEOUT_SECONDS", "2")); // scaled down, as above
    var answer = fixture.http.sendAsync(streamRequest(), HttpResponse.BodyHandlers.ofString());
    FaultyUpstream.Exchange thinking = upstream.awaitRequest(WAIT);

    Thread.sleep(1_500); // the fault under test: the upstream thinks before its first byte
    String json = "{\"usage\":{\"input_tokens\":20,\"output_tokens\":50}}";
    thinking.send(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + json.length()
            + "\r\n\r\n"
            + json);

    HttpResponse<String> response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    assertEquals(json, response.body());
    assertEquals(Outcome.OK, fixture.nextEvent().outcome());
  }

  @Test
  void aStreamSilentLongerThanTheIdleTimeoutIsCutAbnormallyAndItsUpstreamClosed() throws Exception {
    start(Map.of("LLMPROXY_UPSTREAM_IDLE_TIMEOUT_SECONDS", "1"));
    Streaming stream = openStream();

    // The upstream says nothing more.
    assertThrows(IOException.class, stream::rest, "a stream cut for silence must not end cleanly");
    assertTrue(stream.upstream().awaitHangUp(WAIT), "the proxy left the upstream connection open");
    assertSettledWithUsageSoFar(fixture.nextEvent(), Outcome.UPSTREAM_ERROR);
  }

  @Test
  void defaultsTolerateSilencesOfSeveralMinutes() throws Exception {
    ExampleConfig config = ExampleConfig.fromEnvironment(Map.of());
    assertEquals(Duration.ofMinutes(10), config.upstreamIdleTimeout());
    assertEquals(Duration.ofMinutes(10), OkHttpUpstreamClient.DEFAULT_READ_TIMEOUT);
    start(); // the example as configured out of the box
    // The client's side of a silent stream is silent too: Jetty must not cut it first.
    assertTrue(
        fixture.server.connectorIdleTimeout().compareTo(config.upstreamIdleTimeout()) > 0,
        "Jetty's idle timeout " + fixture.server.connectorIdleTimeout());
  }

  @Test
  void aClientLeavingBeforeTheFirstByteClosesTheUpstreamConnectionAtOnce() throws Exception {
    start();
    try (RawClient client = RawClient.send(fixture.server.port(), token, STREAM_REQUEST, 0)) {
      FaultyUpstream.Exchange exchange = upstream.awaitRequest(WAIT);
      client.close(); // before any byte of the answer

      long left = System.nanoTime();
      assertTrue(exchange.awaitHangUp(WAIT), "the upstream connection stayed open");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left);
      assertTrue(millis < 1_000, "cancelled after " + millis + " ms");
    }
    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.CLIENT_CANCELLED, event.outcome());
    assertTrue(event.costEstimated());
    assertEquals(new Balance(1, event.costNanoUsd()), balance());
  }

  @Test
  void aClientLeavingMidStreamClosesTheUpstreamConnectionAtOnce() throws Exception {
    start();
    FaultyUpstream.Exchange exchange;
    try (RawClient client = RawClient.send(fixture.server.port(), token, STREAM_REQUEST, 0)) {
      exchange = upstream.awaitRequest(WAIT);
      exchange.send(FaultyUpstream.SSE_HEAD);
      exchange.sendChunk(FaultyUpstream.MESSAGE_START);
      assertTrue(client.readHead().startsWith("HTTP/1.1 200"));
      client.readUntil("message_start");
    }
    assertTrue(
        exchange.streamUntilHangUp(FaultyUpstream.PING, Duration.ofSeconds(1)),
        "the upstream kept streaming to nobody");
    assertSettledWithUsageSoFar(fixture.nextEvent(), Outcome.CLIENT_CANCELLED);
  }

  @Test
  void aClientThatStopsReadingPausesItsUpstreamWhileOtherStreamsFlow() throws Exception {
    start();
    long offered = 256L << 20; // what the upstream would send if the proxy kept reading
    try (RawClient slow = RawClient.send(fixture.server.port(), token, STREAM_REQUEST, 16 << 10)) {
      FaultyUpstream.Exchange stalled = upstream.awaitRequest(WAIT);
      stalled.send(FaultyUpstream.SSE_HEAD);
      stalled.streamInBackground(FaultyUpstream.PING.repeat(400), offered); // ~11 KB a chunk
      assertTrue(slow.readHead().startsWith("HTTP/1.1 200"));
      // The slow client reads nothing more. Every buffer on the way fills (the client's, the
      // kernel's on both hops, the proxy's one buffer), then the upstream's writes block.
      long plateau = awaitNoProgress(stalled);
      assertTrue(
          plateau < 32L << 20,
          "the proxy took " + (plateau >> 20) + " MiB from the upstream for a client reading none");

      // Meanwhile another stream runs start to end.
      Streaming other = openStream();
      other.upstream().sendChunk(FaultyUpstream.DELTA);
      other.upstream().sendChunk(FaultyUpstream.END);
      other.upstream().endChunks();
      assertTrue(other.rest().endsWith("message_stop\"}\n\n"));
      assertEquals(Outcome.OK, fixture.nextEvent().outcome());
      assertTrue(stalled.written() < plateau + (1 << 20), "the stalled stream stayed stalled");

      slow.close();
      assertTrue(stalled.awaitHangUp(WAIT), "the stalled upstream was not cancelled");
    }
    assertEquals(Outcome.CLIENT_CANCELLED, fixture.nextEvent().outcome());
  }

  /**
   * Waits until the upstream's byte count has not moved for half a second: its writes block. No
   * event says that a socket write blocks, so this polls the count, within a deadline.
   */
  private static long awaitNoProgress(FaultyUpstream.Exchange exchange) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = exchange.written();
      if (now == last) {
        return now;
      }
      last = now;
      Thread.sleep(500); // polling a count: no event exists for a blocked write
    }
    throw new AssertionError("the upstream never stopped writing: " + (last >> 20) + " MiB");
  }

  /** A client on a raw socket: sends one request, reads as little as the test says. */
  private static final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    private RawClient(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    /** Sends a streaming Messages request; {@code receiveBuffer} 0 for the system's default. */
    static RawClient send(int port, String token, String body, int receiveBuffer)
        throws IOException {
      Socket socket = new Socket();
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer); // before connecting: it sets the window
      }
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(5_000);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                  + token
                  + "\r\ncontent-type: application/json\r\ncontent-length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      return new RawClient(socket);
    }

    String readHead() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed inside the answer's head");
        }
        head.write(b);
        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads until {@code text} has arrived. */
    void readUntil(String text) throws IOException {
      StringBuilder seen = new StringBuilder();
      while (seen.indexOf(text) < 0) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before '" + text + "': " + seen);
        }
        seen.append((char) b);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
