package dev.llmproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that pipelines its next request while the proxy waits for the upstream: the disconnect
 * watch reads from the connection then, and may take the first byte of that request. The next
 * request must never be corrupted: it is answered as sent, or the proxied answer says {@code
 * Connection: close} so the client sends it again on a new connection. Extended for each container
 * whose support watches for disconnects.
 */
public abstract class PipeliningContract {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String BODY =
      "{\"model\":\"claude-test\",\"max_tokens\":16,\"messages\":[]}";
  private static final String NEXT = "GET /host/next HTTP/1.1\r\nHost: localhost\r\n\r\n";

  private final Container container = newContainer();
  private RawUpstream upstream;
  private TestProxy proxy;

  /** A container to run the proxy in, with its {@link ContainerSupport}. */
  protected abstract Container newContainer();

  @AfterEach
  void stop() throws Exception {
    container.stop();
    proxy.close();
    upstream.close();
  }

  @Test
  void aRequestPipelinedWhileTheProxyWaitsIsNeverCorrupted() throws Exception {
    upstream = new RawUpstream();
    proxy = new TestProxy(upstream.baseUrl());
    URI base =
        container.start(
            Container.Webapp.of(
                "",
                proxy.filter(LlmProxyFilter.DEFAULT_MOUNT_PATH, container.support()),
                new HostServlet()));
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
      client.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = client.getOutputStream();
      out.write(
          ("POST /proxy/anthropic/v1/messages HTTP/1.1\r\nHost: localhost\r\n"
                  + "x-api-key: "
                  + TestProxy.TOKEN
                  + "\r\ncontent-type: application/json\r\ncontent-length: "
                  + BODY.length()
                  + "\r\n\r\n"
                  + BODY)
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      RawUpstream.Exchange forwarded = upstream.awaitRequest(WAIT); // the watch is on now

      out.write(NEXT.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // The watch wakes up on the new bytes and reads one: seen in the kernel's receive queue of
      // the proxy's side of the connection, which then holds one byte less than was sent.
      assertTrue(
          awaitReceiveQueue(base.getPort(), client.getLocalPort(), NEXT.length() - 1),
          "the watch did not read from the connection: this test proves nothing");

      forwarded.send(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
      InputStream in = client.getInputStream();
      Answer first = Answer.read(in);
      assertEquals(200, first.status());
      assertEquals("{}", first.body());
      Answer next = Answer.read(in);
      if (next == null) { // the connection was closed after the first answer, as announced
        assertTrue(
            first.head().toLowerCase(Locale.ROOT).contains("\r\nconnection: close"),
            "closed without saying so: " + first.head());
      } else {
        assertEquals(200, next.status(), "the next request was corrupted: " + next.head());
        assertEquals(HostServlet.echo("GET", "/host/next", ""), next.body());
      }
    }
  }

  /**
   * Waits until the receive queue of the server's side of the connection from {@code clientPort}
   * holds {@code bytes}, as {@code /proc/net/tcp*} shows it; false if it does not within {@link
   * #WAIT}. No event announces a read by the watch, so this polls the kernel's count.
   */
  private static boolean awaitReceiveQueue(int serverPort, int clientPort, int bytes)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      OptionalInt queued = receiveQueue(serverPort, clientPort);
      if (queued.isPresent() && queued.getAsInt() == bytes) {
        return true;
      }
      Thread.sleep(5); // polling the kernel's count: there is no event to wait for
    }
    return false;
  }

  private static OptionalInt receiveQueue(int serverPort, int clientPort) throws IOException {
    String local = String.format(":%04X", serverPort);
    String remote = String.format(":%04X", clientPort);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) { // Java's sockets are IPv6's
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        if (fields[1].endsWith(local) && fields[2].endsWith(remote)) {
          return OptionalInt.of(Integer.parseInt(fields[4].split(":")[1], 16));
        }
      }
    }
    return OptionalInt.empty();
  }

  /** One HTTP/1.1 answer read off the connection: its status, head and body. */
  private record Answer(int status, String head, String body) {

    /** The next answer, or null if the connection ended before one began. */
    static Answer read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          if (head.size() == 0) {
            return null;
          }
          throw new IOException("connection closed inside an answer's head");
        }
        head.write(b);
        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      String lower = text.toLowerCase(Locale.ROOT);
      byte[] body;
      if (lower.contains("\r\ntransfer-encoding: chunked")) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int size; (size = Integer.parseInt(line(in).trim(), 16)) > 0; ) {
          chunks.write(in.readNBytes(size));
          line(in);
        }
        line(in);
        body = chunks.toByteArray();
      } else {
        int at = lower.indexOf("\r\ncontent-length:");
        int end = lower.indexOf("\r\n", at + 2);
        body = in.readNBytes(Integer.parseInt(text.substring(at + 17, end).trim()));
      }
      return new Answer(
          Integer.parseInt(text.substring(9, 12)), text, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      for (int b; (b = in.read()) != '\n'; ) {
        if (b < 0) {
          throw new IOException("connection closed inside a chunked body");
        }
        line.append((char) b);
      }
      return line.toString().strip();
    }
  }
}
