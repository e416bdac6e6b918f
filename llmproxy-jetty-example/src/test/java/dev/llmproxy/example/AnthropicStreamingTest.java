package dev.llmproxy.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

  private static void readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    while (!seen.toString(UTF_8).contains(marker)) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("stream ended before " + marker + ": " + seen.toString(UTF_8));
      }
      seen.write(buffer, 0, n);
    }
  }
}
