package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Headers;
import dev.llmproxy.core.internal.metering.UsageMeter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies an upstream response body to the client: one buffer per exchange, one write and flush per
 * upstream read, and each chunk handed to the meter only after the client has it, so metering never
 * delays a byte. The exception is the last chunk of a body of known length: the client sees the
 * answer whole as soon as it has that chunk, so it is metered and the exchange booked first (a
 * caller's next request must see the spend of this one).
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

  /**
   * Copies {@code in} to {@code out} until the body ends or either side fails.
   *
   * @param beforeLastChunk runs once the last chunk of a body of known length is read and metered,
   *     before the client gets it
   */
  public static Result copy(
      InputStream in,
      OutputStream out,
      Headers upstreamHeaders,
      UsageMeter meter,
      Runnable beforeLastChunk) {
    byte[] buffer = new byte[bufferSize(upstreamHeaders)];
    long remaining = declaredLength(upstreamHeaders);
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
      boolean last = remaining >= 0 && (remaining -= n) <= 0;
      if (last) {
        meter.update(buffer, 0, n);
        beforeLastChunk.run();
      }
      try {
        out.write(buffer, 0, n);
        out.flush();
      } catch (IOException | RuntimeException e) { // containers differ in how "gone" surfaces
        return new Result(End.CLIENT_GONE, e);
      }
      if (!last) {
        meter.update(buffer, 0, n);
      }
    }
  }

  /**
   * The body's length as its {@code Content-Length} declares it (the client gets the same header),
   * or -1 if it declares none or one that is not a length.
   */
  public static long declaredLength(Headers upstreamHeaders) {
    String length = upstreamHeaders.first("content-length").orElse(null);
    if (length == null) {
      return -1;
    }
    try {
      long declared = Long.parseLong(length.trim());
      return declared >= 0 ? declared : -1;
    } catch (NumberFormatException e) {
      return -1;
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
