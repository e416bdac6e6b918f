package dev.llmproxy.example;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream on a raw server socket that misbehaves on cue, byte by byte: answers never, or breaks
 * off, resets the connection, sends a malformed status line or chunk, goes silent, or streams until
 * its writes block. Each request is read whole and handed to the test as an {@link Exchange}, which
 * also notices when the proxy hangs up.
 */
final class FaultyUpstream implements AutoCloseable {
  /** The head of a chunked server-sent-events answer. */
  static final String SSE_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n";

  /** A stream's first event: 20 input tokens and 1 output token of claude-haiku-4-5. */
  static final String MESSAGE_START =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":"
          + "\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}\n\n";

  static final String DELTA =
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"tick \"}}\n\n";

  /** The stream's end: 50 output tokens in all. */
  static final String END =
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":50}}"
          + "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  static final String PING = "event: ping\ndata: {\"type\":\"ping\"}\n\n";

  private final ServerSocket server;
  private final BlockingQueue<Exchange> requests = new LinkedBlockingQueue<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile Thread dispatcher;

  FaultyUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "faulty-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The base URL to point the proxy at, ending with {@code /}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/";
  }

  /**
   * Answers every request from now on with {@code handler}, each on a thread of its own, and closes
   * its connection when the handler returns.
   */
  void serve(Handler handler) {
    dispatcher =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                Exchange exchange;
                try {
                  exchange = requests.take();
                } catch (InterruptedException e) {
                  return;
                }
                Thread worker =
                    new Thread(
                        () -> {
                          try {
                            handler.handle(exchange);
                          } catch (IOException | InterruptedException e) {
                            // the proxy hung up, or the upstream is closing
                          } finally {
                            exchange.close();
                          }
                        },
                        "faulty-upstream-handler");
                worker.setDaemon(true);
                worker.start();
              }
            },
            "faulty-upstream-dispatcher");
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  /** Answers one request; the connection is closed when it returns. */
  interface Handler {
    void handle(Exchange exchange) throws IOException, InterruptedException;
  }

  /** Connections accepted and not yet closed by either side. */
  int openConnections() {
    return (int) sockets.stream().filter(socket -> !socket.isClosed()).count();
  }

  /** The proxy's next request, read whole; fails if none arrives {@code within}. */
  Exchange awaitRequest(Duration within) throws InterruptedException {
    Exchange exchange = requests.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    if (exchange == null) {
      throw new AssertionError("the proxy sent no request upstream within " + within);
    }
    return exchange;
  }

  private void accept() {
    while (true) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(socket);
      Thread reader =
          new Thread(
              () -> {
                try {
                  requests.add(new Exchange(socket, () -> forget(socket)));
                } catch (IOException e) {
                  forget(socket); // the proxy left before sending a whole request
                }
              },
              "faulty-upstream-request");
      reader.setDaemon(true);
      reader.start();
    }
  }

  private void forget(Socket socket) {
    closeQuietly(socket);
    sockets.remove(socket);
  }

  @Override
  public void close() throws IOException {
    server.close();
    if (dispatcher != null) {
      dispatcher.interrupt();
    }
    sockets.forEach(FaultyUpstream::closeQuietly);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** One request of the proxy, and the upstream's side of its connection. */
  static final class Exchange {
    private final Socket socket;
    private final String head;
    private final byte[] body;
    private final CountDownLatch hungUp = new CountDownLatch(1);
    private final AtomicLong written = new AtomicLong();
    private final Runnable onClose;

    private Exchange(Socket socket, Runnable onClose) throws IOException {
      this.socket = socket;
      this.onClose = onClose;
      InputStream in = socket.getInputStream();
      this.head = readHead(in);
      this.body = in.readNBytes(contentLength(head));
      Thread watcher = new Thread(this::watchForHangUp, "faulty-upstream-watcher");
      watcher.setDaemon(true);
      watcher.start();
    }

    /** The request line, e.g. {@code POST /v1/messages HTTP/1.1}. */
    String requestLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }

    String body() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** Sends {@code text} as it is, e.g. a response head. */
    void send(String text) throws IOException {
      OutputStream out = socket.getOutputStream();
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      out.write(bytes);
      out.flush();
      written.addAndGet(bytes.length);
    }

    /** Sends {@code data} as one chunk of a chunked body. */
    void sendChunk(String data) throws IOException {
      byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
      send(Integer.toHexString(bytes.length) + "\r\n" + data + "\r\n");
    }

    /** Sends the final chunk: the body ends cleanly. */
    void endChunks() throws IOException {
      send("0\r\n\r\n");
    }

    /** Closes the connection (a FIN), without the final chunk: the body breaks off. */
    void breakOff() {
      close();
    }

    /** Resets the connection (an RST, as a crashed peer or a middlebox sends). */
    void reset() throws IOException {
      socket.setSoLinger(true, 0);
      close();
    }

    /** Closes this side of the connection. */
    void close() {
      onClose.run();
    }

    /** Bytes sent so far, counted once each write returned. */
    long written() {
      return written.get();
    }

    /** Whether the proxy closed the connection within {@code within}. */
    boolean awaitHangUp(Duration within) throws InterruptedException {
      return hungUp.await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Streams {@code chunk} over and over on a thread of its own, up to {@code maxBytes}, until a
     * write fails (the proxy hung up). Each write blocks while the proxy reads nothing.
     */
    void streamInBackground(String chunk, long maxBytes) {
      Thread writer =
          new Thread(
              () -> {
                try {
                  while (written.get() < maxBytes) {
                    sendChunk(chunk);
                  }
                } catch (IOException e) {
                  // the proxy hung up
                }
              },
              "faulty-upstream-writer");
      writer.setDaemon(true);
      writer.start();
    }

    /**
     * Keeps sending {@code chunk} (as a live stream would) until the proxy closes the connection;
     * returns whether it did so {@code within}.
     */
    boolean streamUntilHangUp(String chunk, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          sendChunk(chunk);
        } catch (IOException e) {
          return true; // the proxy reset the connection
        }
        if (hungUp.await(10, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
      return false;
    }

    private void watchForHangUp() {
      try {
        InputStream in = socket.getInputStream();
        while (in.read() >= 0) {
          // the proxy sends nothing more on this connection; wait for its end
        }
      } catch (IOException e) {
        // reset, or closed by this side: either way the connection is over
      }
      hungUp.countDown();
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed inside the request head");
        }
        head.write(b);
        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0
            && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
          return Integer.parseInt(line.substring(colon + 1).trim());
        }
      }
      return 0;
    }
  }
}
