package dev.llmproxy.example;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;
import okio.ByteString;

/**
 * A chunked SSE upstream body the test controls: it sends the first event, then waits until the
 * test calls {@link #release()} before sending the rest. If the test never releases it, the stream
 * fails instead of completing, so a proxy that buffers cannot pass by accident.
 *
 * <p>With {@link #untilDisconnected()}, after the scripted events it keeps sending {@code ping}
 * events until a write fails, and records that the proxy closed the upstream connection.
 */
final class ScriptedStream implements MockResponseBody {
  private final List<String> events;
  private final boolean untilDisconnected;
  private final CountDownLatch released = new CountDownLatch(1);
  private final CountDownLatch disconnected = new CountDownLatch(1);

  private ScriptedStream(List<String> events, boolean untilDisconnected) {
    this.events = List.copyOf(events);
    this.untilDisconnected = untilDisconnected;
  }

  /** Sends {@code events}, pausing after the first until released. */
  static ScriptedStream of(List<String> events) {
    return new ScriptedStream(events, false);
  }

  /** Sends {@code events} (pausing after the first), then pings until the proxy hangs up. */
  static ScriptedStream untilDisconnected(List<String> events) {
    return new ScriptedStream(events, true);
  }

  MockResponse response() {
    return new MockResponse.Builder()
        .setHeader("content-type", "text/event-stream; charset=utf-8")
        .setHeader("transfer-encoding", "chunked")
        .setHeader("request-id", "req_stream_1")
        .body(this)
        .removeHeader("content-length")
        .build();
  }

  void release() {
    released.countDown();
  }

  /** Waits until a write to the proxy failed because the proxy closed the connection. */
  boolean awaitDisconnect(long seconds) throws InterruptedException {
    return disconnected.await(seconds, TimeUnit.SECONDS);
  }

  @Override
  public long getContentLength() {
    return -1;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    chunk(sink, events.get(0));
    try {
      if (!released.await(20, TimeUnit.SECONDS)) {
        throw new IOException("the test never released the stream");
      }
    } catch (InterruptedException e) {
      throw new InterruptedIOException();
    }
    try {
      for (String event : events.subList(1, events.size())) {
        chunk(sink, event);
      }
      if (untilDisconnected) {
        // Bounded: the proxy must hang up long before this many pings.
        for (int i = 0; i < 200_000; i++) {
          chunk(sink, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
        }
      } else {
        sink.writeUtf8("0\r\n");
        return;
      }
    } catch (IOException e) {
      if (untilDisconnected) {
        disconnected.countDown(); // a write failed: the proxy closed the upstream connection
      }
      throw e;
    }
    throw new IOException("the proxy never closed the upstream connection");
  }

  private static void chunk(BufferedSink sink, String data) throws IOException {
    ByteString bytes = ByteString.encodeUtf8(data);
    sink.writeUtf8(Integer.toHexString(bytes.size())).writeUtf8("\r\n").write(bytes);
    sink.writeUtf8("\r\n").flush();
  }
}
