package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a request body into one array, refusing (413) a body over the limit: at once when the
 * declared length is too large, otherwise as soon as one byte past the limit arrives. Holding the
 * body lets the engine peek at it and, later, replay it to another upstream.
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

  public byte[] read(InputStream in, long declaredLength) throws ProxyError, IOException {
    if (declaredLength > maxBytes) {
      throw tooLarge();
    }
    if (declaredLength == 0) {
      return EMPTY;
    }
    // A declared length is a promise, not a reason to allocate it all up front: the first
    // TRUSTED_PREFIX bytes must arrive before the rest of the declared length is allocated, in one
    // step, so a large body costs its own size once instead of a doubling series' twice. An
    // unknown length (chunked) doubles up to the limit; one byte past it is too large.
    long cap = declaredLength > 0 ? declaredLength : maxBytes + 1;
    byte[] body = new byte[(int) Math.min(cap, INITIAL_BYTES)];
    int size = 0;
    while (true) {
      if (size == body.length) {
        if (size == cap) {
          break;
        }
        long grown = declaredLength > 0 && size >= TRUSTED_PREFIX ? cap : (long) size * 2;
        body = Arrays.copyOf(body, (int) Math.min(grown, cap));
      }
      int n = in.read(body, size, body.length - size);
      if (n < 0) {
        break;
      }
      size += n;
      if (size > maxBytes) {
        throw tooLarge();
      }
    }
    if (declaredLength > 0 && size < declaredLength) {
      throw ProxyError.badRequest("The request body ended before its declared length.");
    }
    return size == body.length ? body : Arrays.copyOf(body, size);
  }

  private ProxyError tooLarge() {
    return ProxyError.tooLarge(
        "Request body is larger than the proxy's limit of " + maxBytes + " bytes.");
  }
}
