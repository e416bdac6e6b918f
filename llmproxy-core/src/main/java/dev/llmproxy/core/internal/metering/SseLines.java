package dev.llmproxy.core.internal.metering;

import java.util.Arrays;

/**
 * Splits a byte stream into SSE lines across chunk boundaries and hands each complete {@code data:}
 * line that contains {@code "usage"} to a callback; every other line is skipped without being
 * copied. A line longer than the cap is dropped (usage lines are short).
 */
final class SseLines {
  private static final byte[] DATA = "data:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] USAGE =
      "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int MAX_LINE = 1 << 20;

  /** Receives the JSON payload of a {@code data:} line. */
  interface DataLine {
    void accept(byte[] bytes, int offset, int length);
  }

  private final DataLine onData;
  private byte[] line = new byte[512];
  private int size;
  private boolean overflow;
  private boolean skipping; // the current line is known to be uninteresting

  SseLines(DataLine onData) {
    this.onData = onData;
  }

  void update(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int start = offset;
    for (int i = offset; i < end; i++) {
      if (bytes[i] == '\n') {
        append(bytes, start, i - start);
        finishLine();
        start = i + 1;
      }
    }
    append(bytes, start, end - start);
  }

  private void append(byte[] bytes, int offset, int length) {
    if (length == 0 || skipping || overflow) {
      return;
    }
    if (size + length > MAX_LINE) {
      overflow = true;
      return;
    }
    if (size + length > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, size + length));
    }
    System.arraycopy(bytes, offset, line, size, length);
    size += length;
    if (size >= DATA.length && !startsWith(DATA)) {
      skipping = true; // not a data line: drop the rest without copying
    }
  }

  private void finishLine() {
    int length = size;
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    if (!skipping
        && !overflow
        && length > DATA.length
        && startsWith(DATA)
        && contains(USAGE, length)) {
      int payload = DATA.length;
      if (payload < length && line[payload] == ' ') {
        payload++;
      }
      onData.accept(line, payload, length - payload);
    }
    size = 0;
    overflow = false;
    skipping = false;
  }

  private boolean startsWith(byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (line[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private boolean contains(byte[] needle, int length) {
    outer:
    for (int i = 0; i + needle.length <= length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (line[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
