package dev.llmproxy.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SSE streams are relayed as they arrive, and a departing client cancels the upstream call. */
class AnthropicStreamingTest {
  private static final String STREAM_REQUEST =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  private ProxyFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new ProxyFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void firstEventArrivesBeforeTheUpstreamSendsTheRestAndBytesAreIdentical() throws Exception {
    ScriptedStream stream = ScriptedStream.of(AnthropicFixtures.STREAM_EVENTS);
    fixture.upstream.enqueue(stream.response());

    HttpResponse<InputStream> response =
        fixture.http.send(
            fixture
                .anthropic("/v1/messages")
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(STREAM_REQUEST))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertTrue(
        response
            .headers()
            .firstValue("content-type")
            .orElseThrow()
            .startsWith("text/event-stream"));
    assertEquals("no", response.headers().firstValue("x-accel-buffering").orElseThrow());

    try (InputStream body = response.body()) {
      String first = AnthropicFixtures.STREAM_EVENTS.get(0);
      // The upstream is paused after its first event: reading it proves nothing was buffered.
      byte[] head = body.readNBytes(first.getBytes(UTF_8).length);
      assertEquals(first, new String(head, UTF_8));

      stream.release();
      String rest = new String(body.readAllBytes(), UTF_8);
      assertEquals(AnthropicFixtures.streamText(), first + rest);
    }

    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.OK, event.outcome());
    assertTrue(event.timeToFirstByte().isPresent());
  }

  @Test
  void clientDisconnectMidStreamCancelsTheUpstreamCall() throws Exception {
    ScriptedStream stream = ScriptedStream.untilDisconnected(AnthropicFixtures.STREAM_EVENTS);
    fixture.upstream.enqueue(stream.response());

    try (Socket client = new Socket("localhost", fixture.server.port())) {
      byte[] body = STREAM_REQUEST.getBytes(UTF_8);
      String head =
          "POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\n"
              + "x-api-key: "
              + fixture.token
              + "\r\ncontent-type: application/json\r\ncontent-length: "
              + body.length
              + "\r\n\r\n";
      client.getOutputStream().write(head.getBytes(UTF_8));
      client.getOutputStream().write(body);
      client.getOutputStream().flush();
      readUntil(client.getInputStream(), "event: message_start");
    } // the client hangs up mid-stream

    stream.release(); // the upstream sends more; the proxy finds the client gone
    assertTrue(stream.awaitDisconnect(20), "the proxy never closed the upstream connection");

    ProxyEvent event = fixture.nextEvent();
    assertEquals(Outcome.CLIENT_CANCELLED, event.outcome());
    assertEquals("alice", event.principalId().orElseThrow());
  }

  @Test
  void anUpstreamThatBreaksOffMidStreamIsNotPassedOnAsACleanEnd() throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .chunkedBody(AnthropicFixtures.streamText().repeat(200), 1024)
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());

    try (Socket client = new Socket("localhost", fixture.server.port())) {
      client.setSoTimeout(20_000);
      byte[] body = STREAM_REQUEST.getBytes(UTF_8);
      String head =
          "POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\n"
              + "x-api-key: "
              + fixture.token
              + "\r\ncontent-type: application/json\r\ncontent-length: "
              + body.length
              + "\r\n\r\n";
      client.getOutputStream().write(head.getBytes(UTF_8));
      client.getOutputStream().write(body);
      client.getOutputStream().flush();
      String whole = readUntilCleanEndOrClose(client.getInputStream());
      int bodyStart = whole.indexOf("\r\n\r\n") + 4;
      String responseHead = whole.substring(0, bodyStart).toLowerCase(java.util.Locale.ROOT);
      assertTrue(responseHead.startsWith("http/1.1 200"), whole);
      assertTrue(responseHead.contains("transfer-encoding: chunked"), responseHead);
      assertFalse(
          whole.substring(bodyStart).endsWith("0\r\n\r\n"),
          "the truncated stream ended cleanly: " + whole);
    }
    assertEquals(Outcome.UPSTREAM_ERROR, fixture.nextEvent().outcome());
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

  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    while (!seen.toString(UTF_8).contains(marker)) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("stream ended before " + marker + ": " + seen.toString(UTF_8));
      }
      seen.write(buffer, 0, n);
    }
    return seen.toString(UTF_8);
  }
}
