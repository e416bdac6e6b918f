package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Headers;
import dev.llmproxy.core.internal.metering.UsageMeter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies an upstream response body to the client: one buffer per exchange, one write and flush per
 * upstream read, and each chunk handed to the meter only after the client has it, so metering never
 * delays a byte.
 */
public final class BodyRelay {
  /** The largest chunk read at once: OkHttp hands over at most one segment per read. */
  public static final int BUFFER_SIZE = 8 * 1024;

  /** How a copy ended. */
  public enum End {
    COMPLETE,
    UPSTREAM_BROKE,
    CLIENT_GONE
  }

  /** How a copy ended and, unless it completed, what ended it. */
  public record Result(End end, Exception cause) {
    static final Result COMPLETE = new Result(End.COMPLETE, null);
  }

  private BodyRelay() {}

  /**
   * Whether the client should see the response open before its first chunk: any answer of unknown
   * length may be a stream. One with a {@code Content-Length} sends its headers with its first
   * chunk, in one write.
   */
  public static boolean opensAtOnce(boolean eventStream, Headers upstreamHeaders) {
    return eventStream || upstreamHeaders.first("content-length").isEmpty();
  }

  /** Copies {@code in} to {@code out} until the body ends or either side fails. */
  public static Result copy(
      InputStream in, OutputStream out, Headers upstreamHeaders, UsageMeter meter) {
    byte[] buffer = new byte[bufferSize(upstreamHeaders)];
    while (true) {
      int n;
      try {
        n = in.read(buffer);
      } catch (IOException e) {
        return new Result(End.UPSTREAM_BROKE, e);
      }
      if (n < 0) {
        return Result.COMPLETE;
      }
      try {
        out.write(buffer, 0, n);
        out.flush();
      } catch (IOException | RuntimeException e) { // containers differ in how "gone" surfaces
        return new Result(End.CLIENT_GONE, e);
      }
      meter.update(buffer, 0, n);
    }
  }

  /** A small answer of known length gets a buffer of its size, not a whole segment's. */
  public static int bufferSize(Headers upstreamHeaders) {
    String length = upstreamHeaders.first("content-length").orElse(null);
    if (length != null && length.length() < 5) {
      try {
        return Math.max(1, Math.min(BUFFER_SIZE, Integer.parseInt(length.trim())));
      } catch (NumberFormatException e) {
        return BUFFER_SIZE;
      }
    }
    return BUFFER_SIZE;
  }
}
