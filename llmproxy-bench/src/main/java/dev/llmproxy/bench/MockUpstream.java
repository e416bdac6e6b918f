package dev.llmproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A fast stand-in for Anthropic's Messages API, for the load script: {@code POST /v1/messages}
 * answers with a fixed message, or with an SSE stream when the query says {@code stream=1}.
 *
 * <p>Query parameters shape each response: {@code events} (text deltas in a stream, default 20),
 * {@code interval_ms} (spacing between deltas, default 0) and {@code hold_ms} (a pause before
 * answering, to look at a proxy while it holds a request). Every delta's text is the mock's {@link
 * System#nanoTime()} when it wrote the event, so a client on the same machine (Linux's monotonic
 * clock is shared by processes) can tell how long the event took to reach it.
 *
 * <p>Streams are written asynchronously from one scheduler thread; no thread waits per stream.
 *
 * <pre>{@code java -cp benchmarks.jar dev.llmproxy.bench.MockUpstream 18080}</pre>
 */
public final class MockUpstream extends Handler.Abstract {
  private static final byte[] MESSAGE =
      ascii(
          "{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\","
              + "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":"
              + "\"Hello from the mock upstream.\"}],\"stop_reason\":\"end_turn\","
              + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":8,"
              + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}");
  private static final byte[] STREAM_HEAD =
      ascii(
          "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\","
              + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
              + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
              + "{\"input_tokens\":12,\"output_tokens\":1,\"cache_creation_input_tokens\":0,"
              + "\"cache_read_input_tokens\":0}}}\n\n"
              + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
              + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
  private static final String DELTA_PREFIX =
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"t";
  private static final String DELTA_SUFFIX = "\"}}\n\n";
  private static final String TAIL_FORMAT =
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
          + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
          + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":%d}}\n\n"
          + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  /** The comment after a stream's tail: the length and CRC-32 (hex) of every byte before it. */
  static final String CHECKSUM_FORMAT = ": bytes=%d crc32=%08x\n\n";

  private static final HttpField JSON =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
  private static final HttpField SSE =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
  private static final HttpField REQUEST_ID = new HttpField("request-id", "req_bench");

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "mock-stream-scheduler");
            thread.setDaemon(true);
            return thread;
          });

  /** Starts the mock on {@code args[0]} (port) and serves until killed. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 18080;
    QueuedThreadPool threads = new QueuedThreadPool(64, 8);
    threads.setName("mock");
    Server server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendDateHeader(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(4096);
    connector.setIdleTimeout(120_000);
    server.addConnector(connector);
    server.setHandler(new MockUpstream());
    server.start();
    System.out.println("mock upstream on http://127.0.0.1:" + connector.getLocalPort());
    server.join();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws IOException {
    drain(request);
    Fields query = Request.extractQueryParameters(request);
    int events = query.getValue("events") == null ? 20 : intParam(query, "events");
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intParam(query, "interval_ms"));
    long holdMillis = intParam(query, "hold_ms");
    response.getHeaders().add(REQUEST_ID);
    if ("1".equals(query.getValue("stream"))) {
      response.getHeaders().add(SSE);
      Stream stream = new Stream(response, callback, events, intervalNanos);
      scheduler.schedule(stream::start, holdMillis, TimeUnit.MILLISECONDS);
    } else {
      response.getHeaders().add(JSON);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, MESSAGE.length);
      Runnable answer = () -> response.write(true, ByteBuffer.wrap(MESSAGE), callback);
      if (holdMillis > 0) {
        scheduler.schedule(answer, holdMillis, TimeUnit.MILLISECONDS);
      } else {
        answer.run();
      }
    }
    return true;
  }

  /** Reads and drops the request body (blocking: bodies are small, except the 32 MiB probe). */
  private static void drain(Request request) throws IOException {
    byte[] sink = new byte[64 * 1024];
    try (InputStream in = Content.Source.asInputStream(request)) {
      while (in.read(sink) >= 0) {
        // discard
      }
    }
  }

  private static int intParam(Fields query, String name) {
    String value = query.getValue(name);
    return value == null ? 0 : Integer.parseInt(value);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * One SSE response: head, {@code events} timestamped deltas on a fixed schedule, tail, then an
   * SSE comment with the length and CRC-32 of every byte before it, so a client can check that the
   * stream reached it byte for byte.
   */
  private final class Stream {
    private final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    private long length;
    private final Response response;
    private final Callback done;
    private final int events;
    private final long intervalNanos;
    private long startNanos;
    private int sent;

    Stream(Response response, Callback done, int events, long intervalNanos) {
      this.response = response;
      this.done = done;
      this.events = events;
      this.intervalNanos = intervalNanos;
    }

    void start() {
      startNanos = System.nanoTime();
      response.write(false, sum(STREAM_HEAD), Callback.from(this::next, done::failed));
    }

    /** Schedules the next delta against the stream's start, so spacing errors do not add up. */
    private void next() {
      if (sent == events) {
        String tail = String.format(TAIL_FORMAT, events);
        sum(ascii(tail));
        byte[] last = ascii(tail + String.format(CHECKSUM_FORMAT, length, crc.getValue()));
        response.write(true, ByteBuffer.wrap(last), done);
        return;
      }
      long due = startNanos + (sent + 1) * intervalNanos - System.nanoTime();
      if (due > 0) {
        scheduler.schedule(this::writeDelta, due, TimeUnit.NANOSECONDS);
      } else {
        writeDelta();
      }
    }

    private void writeDelta() {
      sent++;
      byte[] delta = ascii(DELTA_PREFIX + System.nanoTime() + DELTA_SUFFIX);
      response.write(false, sum(delta), Callback.from(this::next, done::failed));
    }

    private ByteBuffer sum(byte[] bytes) {
      crc.update(bytes);
      length += bytes.length;
      return ByteBuffer.wrap(bytes);
    }
  }
}
