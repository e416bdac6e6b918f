package dev.llmproxy.core.internal.metering;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses its own copy of a gzip-encoded body for the meter it wraps; the client still
 * receives the compressed bytes untouched. The gzip header is parsed incrementally (RFC 1952:
 * optional extra field, name, comment and header CRC), then the deflate stream is inflated into a
 * small buffer.
 */
final class GzipMeter implements UsageMeter {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private final UsageMeter delegate;
  private final Inflater inflater = new Inflater(true);
  private final byte[] out = new byte[8192];
  private final byte[] header = new byte[10];
  private int headerRead;
  private int flags;
  private int extraRemaining = -1;
  private int extraLengthRead;
  private boolean inName;
  private boolean inComment;
  private int crcRemaining;
  private boolean headerDone;
  private boolean broken;
  private boolean done;

  GzipMeter(UsageMeter delegate) {
    this.delegate = delegate;
  }

  @Override
  public void update(byte[] bytes, int offset, int length) {
    if (broken || done) {
      return;
    }
    try {
      int i = offset;
      int end = offset + length;
      while (!headerDone && i < end) {
        i = header(bytes, i, end);
      }
      if (i < end) {
        inflater.setInput(bytes, i, end - i);
        int n;
        while ((n = inflater.inflate(out)) > 0) {
          delegate.update(out, 0, n);
        }
        if (inflater.finished()) {
          done = true;
          inflater.end(); // release zlib's native memory now, not at GC
        }
      }
    } catch (DataFormatException | RuntimeException e) {
      broken = true;
      inflater.end();
    }
  }

  /** Consumes header bytes from {@code i}; returns the next unconsumed index. */
  private int header(byte[] bytes, int i, int end) {
    if (headerRead < 10) {
      header[headerRead++] = bytes[i];
      if (headerRead == 10) {
        if ((header[0] & 0xff) != 0x1f || (header[1] & 0xff) != 0x8b || header[2] != 8) {
          throw new IllegalStateException("not gzip");
        }
        flags = header[3] & 0xff;
        inName = (flags & FNAME) != 0;
        inComment = (flags & FCOMMENT) != 0;
        crcRemaining = (flags & FHCRC) != 0 ? 2 : 0;
        extraRemaining = (flags & FEXTRA) != 0 ? -2 : 0;
        headerDone = extraRemaining == 0 && !inName && !inComment && crcRemaining == 0;
      }
      return i + 1;
    }
    if (extraRemaining < 0) { // reading the two-byte little-endian extra length
      extraLengthRead |= (bytes[i] & 0xff) << (extraRemaining == -2 ? 0 : 8);
      extraRemaining++;
      if (extraRemaining == 0) {
        extraRemaining = extraLengthRead;
      }
    } else if (extraRemaining > 0) {
      extraRemaining--;
    } else if (inName) {
      inName = bytes[i] != 0;
    } else if (inComment) {
      inComment = bytes[i] != 0;
    } else if (crcRemaining > 0) {
      crcRemaining--;
    }
    headerDone = extraRemaining == 0 && !inName && !inComment && crcRemaining == 0;
    return i + 1;
  }

  @Override
  public Metered result() {
    return delegate.result();
  }
}
