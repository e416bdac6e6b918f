package dev.llmproxy.servlet;

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

/**
 * An upstream on a raw server socket, for what MockWebServer cannot script: answering with chosen
 * bytes at moments the test chooses, breaking off without the final chunk, and noticing when the
 * proxy hangs up.
 */
final class RawUpstream implements AutoCloseable {
  /** The head of a chunked server-sent-events answer. */
  static final String SSE_HEAD =
      "HTTP/1.1 200 OK\r\n"
          + "Content-Type: text/event-stream; charset=utf-8\r\n"
          + "Transfer-Encoding: chunked\r\n"
          + "request-id: req_raw\r\n"
          + "\r\n";

  private final ServerSocket server;
  private final BlockingQueue<Exchange> requests = new LinkedBlockingQueue<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  RawUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "raw-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The base URL to point the proxy at. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
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
      try {
        requests.add(new Exchange(socket));
      } catch (IOException e) {
        closeQuietly(socket); // the proxy left before sending a whole request
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(RawUpstream::closeQuietly);
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
    private final CountDownLatch hungUp = new CountDownLatch(1);

    private Exchange(Socket socket) throws IOException {
      this.socket = socket;
      InputStream in = socket.getInputStream();
      this.head = readHead(in);
      in.readNBytes(contentLength(head));
      Thread watcher = new Thread(this::watchForHangUp, "raw-upstream-watcher");
      watcher.setDaemon(true);
      watcher.start();
    }

    /** The request line, e.g. {@code POST /v1/messages HTTP/1.1}. */
    String requestLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }

    /** Sends {@code text} as it is, e.g. a response head. */
    void send(String text) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
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

    /** Closes the connection without the final chunk: the body breaks off. */
    void breakOff() throws IOException {
      socket.close();
    }

    /** Whether the proxy closed the connection within {@code within}. */
    boolean awaitHangUp(Duration within) throws InterruptedException {
      return hungUp.await(within.toMillis(), TimeUnit.MILLISECONDS);
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
        // reset, or closed by breakOff(): either way the connection is over
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
