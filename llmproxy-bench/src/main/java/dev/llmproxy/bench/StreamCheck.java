package dev.llmproxy.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Checks that a stream from the {@link MockUpstream} arrived byte for byte: the response's body
 * (chunked or not, whatever framing the hop chose) ends with the mock's checksum comment, and the
 * bytes before it have the length and CRC-32 that comment gives.
 */
final class StreamCheck {
  private static final byte[] MARKER = ": bytes=".getBytes(StandardCharsets.US_ASCII);

  private StreamCheck() {}

  /** Whether {@code response} (status line, headers and body, as read) is intact. */
  static boolean intact(byte[] response) {
    int headEnd = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    if (headEnd < 0) {
      return false;
    }
    String head = new String(response, 0, headEnd, StandardCharsets.ISO_8859_1);
    byte[] body =
        head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked")
            ? dechunk(response, headEnd + 4)
            : java.util.Arrays.copyOfRange(response, headEnd + 4, response.length);
    if (body == null) {
      return false;
    }
    int marker = lastIndexOf(body, MARKER);
    if (marker < 0) {
      return false;
    }
    String[] fields =
        new String(body, marker + 2, body.length - marker - 2, StandardCharsets.US_ASCII)
            .trim()
            .split(" ");
    if (fields.length != 2 || !fields[0].startsWith("bytes=") || !fields[1].startsWith("crc32=")) {
      return false;
    }
    CRC32 crc = new CRC32();
    crc.update(body, 0, marker);
    return Long.parseLong(fields[0].substring(6)) == marker
        && Long.parseLong(fields[1].substring(6), 16) == crc.getValue();
  }

  /** The body of a chunked message starting at {@code from}; null if its framing is broken. */
  private static byte[] dechunk(byte[] message, int from) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(message.length);
    int at = from;
    while (true) {
      int lineEnd = indexOf(message, new byte[] {'\r', '\n'}, at);
      if (lineEnd < 0) {
        return null;
      }
      String size = new String(message, at, lineEnd - at, StandardCharsets.US_ASCII);
      int semicolon = size.indexOf(';');
      int length;
      try {
        length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      } catch (NumberFormatException e) {
        return null;
      }
      at = lineEnd + 2;
      if (length == 0) {
        return body.toByteArray();
      }
      if (at + length + 2 > message.length) {
        return null;
      }
      body.write(message, at, length);
      at += length + 2;
    }
  }

  private static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int lastIndexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = data.length - pattern.length; i >= 0; i--) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
