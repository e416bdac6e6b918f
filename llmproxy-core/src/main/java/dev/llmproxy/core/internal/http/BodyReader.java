package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a request body into one array, refusing (413) a body over the limit: at once when the
 * declared length is too large, otherwise as soon as one byte past the limit arrives. Holding the
 * body lets the engine peek at it and, later, replay it to another upstream. It reads from a
 * blocking stream ({@link #read}), or a read at a time as bytes arrive ({@link #start}).
 */
public final class BodyReader {
  private static final byte[] EMPTY = new byte[0];
  private static final int INITIAL_BYTES = 64 * 1024;
  private static final int TRUSTED_PREFIX = 1024 * 1024;

  private final long maxBytes;

  public BodyReader(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Whether a request declares a body: a positive length, or chunked transfer coding. */
  public static boolean hasBody(long declaredLength, Headers headers) {
    return declaredLength > 0
        || (declaredLength < 0 && headers.first("transfer-encoding").isPresent());
  }

  /** Reads all of {@code in}, blocking, as {@link #start} and {@link Body#readFrom} describe. */
  public byte[] read(InputStream in, long declaredLength) throws ProxyError, IOException {
    Body body = start(declaredLength);
    while (body.readFrom(in::read) >= 0) {
      // until the body is whole
    }
    return body.finish();
  }

  /**
   * A body to read, of {@code declaredLength} bytes (-1 for unknown); refused (413) at once if the
   * declared length is over the limit.
   */
  public Body start(long declaredLength) throws ProxyError {
    if (declaredLength > maxBytes) {
      throw tooLarge();
    }
    return new Body(declaredLength);
  }

  /** Where bytes come from: an {@link InputStream}'s {@code read}, blocking or not. */
  @FunctionalInterface
  public interface Source {
    int read(byte[] bytes, int offset, int length) throws IOException;
  }

  /** A body being read, one {@link #readFrom} at a time; then {@link #finish}. */
  public final class Body {
    private final long declaredLength;
    private final long cap;
    private byte[] bytes;
    private int size;

    private Body(long declaredLength) {
      this.declaredLength = declaredLength;
      // A declared length is a promise, not a reason to allocate it all up front: the first
      // TRUSTED_PREFIX bytes must arrive before the rest of the declared length is allocated, in
      // one step, so a large body costs its own size once instead of a doubling series' twice. An
      // unknown length (chunked) doubles up to the limit; one byte past it is too large.
      this.cap = declaredLength >= 0 ? declaredLength : maxBytes + 1;
      this.bytes = cap == 0 ? EMPTY : new byte[(int) Math.min(cap, INITIAL_BYTES)];
    }

    /**
     * Reads once from {@code source}: the number of bytes read, or -1 once the body is whole (the
     * source ended, or the declared length has arrived, which is not read past). Refuses (413) a
     * body one byte over the limit.
     */
    public int readFrom(Source source) throws ProxyError, IOException {
      if (size == bytes.length) {
        if (size == cap) {
          return -1;
        }
        long grown = declaredLength > 0 && size >= TRUSTED_PREFIX ? cap : (long) size * 2;
        bytes = Arrays.copyOf(bytes, (int) Math.min(grown, cap));
      }
      int n = source.read(bytes, size, bytes.length - size);
      if (n < 0) {
        return -1;
      }
      size += n;
      if (size > maxBytes) {
        throw tooLarge();
      }
      return n;
    }

    /** Whether all of the declared length has arrived: nothing more is to be read. */
    public boolean isWhole() {
      return declaredLength >= 0 && size == declaredLength;
    }

    /** The body read; refused (400) if it ended before its declared length. */
    public byte[] finish() throws ProxyError {
      if (declaredLength > 0 && size < declaredLength) {
        throw ProxyError.badRequest("The request body ended before its declared length.");
      }
      return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
  }

  private ProxyError tooLarge() {
    return ProxyError.tooLarge(
        "Request body is larger than the proxy's limit of " + maxBytes + " bytes.");
  }
}
