package dev.llmproxy.example;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * One HTTP/1.1 exchange over a fresh connection, with the request written byte for byte as given
 * (what no HTTP client library sends: raw bytes in paths and headers, conflicting lengths) and the
 * response read until the server closes.
 */
final class RawExchange {
  private RawExchange() {}

  /** The status line's code, the head as text, the body (de-chunked). */
  record Response(int status, String head, byte[] body) {
    Optional<String> header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      return head.lines()
          .skip(1)
          .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
          .map(line -> line.substring(prefix.length()).trim())
          .findFirst();
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * Sends {@code request} to {@code localhost:port}. A server may answer before reading a body and
   * close; a write that fails then is not an error, the answer is still read. Closing with unread
   * bytes makes the server's kernel reset the connection, and now and then (once in some thousands
   * of garbled request lines) the reset overtakes the answer: an exchange that got no byte back is
   * tried again, twice at most. (A request forwarded twice would still show: the caller counts the
   * upstream's requests around the whole call.)
   */
  static Response send(int port, byte[] request) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return sendOnce(port, request);
      } catch (NoAnswer e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** The connection ended without a byte of answer. */
  private static final class NoAnswer extends IOException {
    private static final long serialVersionUID = 1L;

    NoAnswer(String message) {
      super(message);
    }
  }

  private static Response sendOnce(int port, byte[] request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(15_000);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        socket.shutdownOutput();
      } catch (IOException answeredEarly) {
        // the server answered and closed before taking the whole request
      }
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          received.write(buffer, 0, n);
        }
      } catch (java.net.SocketException reset) {
        if (received.size() == 0) {
          throw new NoAnswer("reset before any answer: " + reset);
        }
      }
      if (received.size() == 0) {
        throw new NoAnswer("closed without an answer");
      }
      return parse(received.toByteArray());
    }
  }

  private static Response parse(byte[] bytes) throws IOException {
    int end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    while (end > 0 && bytes.length > 12 && bytes[9] == '1') { // an interim 1xx, e.g. 100 Continue
      bytes = Arrays.copyOfRange(bytes, end + 4, bytes.length);
      end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    }
    if (end < 0 || bytes.length < 12) {
      throw new IOException("no HTTP response head in " + bytes.length + " bytes");
    }
    String head = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(head.substring(9, 12));
    byte[] body = Arrays.copyOfRange(bytes, end + 4, bytes.length);
    Response response = new Response(status, head, body);
    if (response
        .header("transfer-encoding")
        .map(v -> v.equalsIgnoreCase("chunked"))
        .orElse(false)) {
      response = new Response(status, head, dechunk(body));
    }
    return response;
  }

  private static byte[] dechunk(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int lineEnd = indexOf(body, new byte[] {'\r', '\n'}, at);
      if (lineEnd < 0) {
        throw new IOException("truncated chunked body");
      }
      String size = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0];
      int length = Integer.parseInt(size.trim(), 16);
      if (length == 0) {
        return out.toByteArray();
      }
      out.write(body, lineEnd + 2, length);
      at = lineEnd + 2 + length + 2;
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
