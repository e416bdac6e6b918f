package dev.llmproxy.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The load script's byte-for-byte check of a stream, through either framing. */
class StreamCheckTest {
  private static final String BODY = "event: a\ndata: {\"t\":\"t123\"}\n\nevent: b\ndata: {}\n\n";

  private static String checked(String body) {
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.US_ASCII));
    return body
        + String.format(Locale.ROOT, MockUpstream.CHECKSUM_FORMAT, body.length(), crc.getValue());
  }

  private static byte[] plain(String body) {
    return ("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n" + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] chunked(String body, int chunk) {
    StringBuilder out = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < body.length(); i += chunk) {
      String part = body.substring(i, Math.min(body.length(), i + chunk));
      out.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
    }
    return out.append("0\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void anIntactStreamPassesInEitherFraming() {
    assertTrue(StreamCheck.intact(plain(checked(BODY))));
    assertTrue(StreamCheck.intact(chunked(checked(BODY), 7)));
  }

  @Test
  void oneChangedLostOrAddedByteFails() {
    String checked = checked(BODY);
    assertFalse(StreamCheck.intact(plain(checked.replace("t123", "t124"))), "changed");
    assertFalse(StreamCheck.intact(plain(checked.replace("event: b\n", "event: b"))), "lost");
    assertFalse(StreamCheck.intact(chunked("x" + checked, 7)), "added");
    assertFalse(StreamCheck.intact(plain(BODY)), "no checksum");
    byte[] truncated = chunked(checked, 7);
    assertFalse(
        StreamCheck.intact(java.util.Arrays.copyOf(truncated, truncated.length - 12)),
        "framing cut short");
  }
}
