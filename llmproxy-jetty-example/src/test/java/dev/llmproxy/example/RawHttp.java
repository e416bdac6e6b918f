package dev.llmproxy.example;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends a request exactly as written, for what real clients refuse to send: dot segments that they
 * would normalise away, restricted headers such as {@code Host} and {@code Connection}.
 */
final class RawHttp {
  private RawHttp() {}

  /** The status code and the rest of the response, read until the server closes. */
  record Response(int status, String head, String body) {}

  static Response send(int port, String requestHead, String body) throws IOException {
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout(10_000);
      byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
      String head =
          requestHead + "Content-Length: " + bodyBytes.length + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(bodyBytes);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      String text = out.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String responseHead = split < 0 ? text : text.substring(0, split);
      String responseBody = split < 0 ? "" : text.substring(split + 4);
      int status = Integer.parseInt(responseHead.substring(9, 12));
      return new Response(status, responseHead, responseBody);
    }
  }
}
