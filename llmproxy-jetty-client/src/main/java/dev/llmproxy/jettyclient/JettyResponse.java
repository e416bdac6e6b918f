package dev.llmproxy.jettyclient;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;

/**
 * Status and headers, and the body as Jetty's content source, read without blocking or through a
 * blocking stream on top of the same reads. {@link #close()} may come from any thread: it fails the
 * source, which Jetty allows at any time, and which ends the exchange's connection.
 */
final class JettyResponse implements UpstreamResponse, NonBlockingBody {
  private final int status;
  private final Headers headers;
  private final Content.Source source;

  // Guarded by this.
  private Content.Chunk chunk; // the chunk being read, held until it is used up
  private InputStream stream;
  private boolean ended; // the body's last chunk was read
  private boolean closed;

  JettyResponse(Response response, Content.Source source) {
    this.status = response.getStatus();
    Headers.Builder builder = Headers.builder();
    for (HttpField field : response.getHeaders()) {
      if (field.getHeader() != HttpHeader.C_STATUS) {
        builder.add(field.getName(), field.getValue());
      }
    }
    this.headers = builder.build();
    this.source = source;
  }

  /** A response whose content source was never offered: it has no body. */
  static JettyResponse withoutBody(Response response) {
    return new JettyResponse(response, Content.Source.from(ByteBuffer.allocate(0)));
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public Headers headers() {
    return headers;
  }

  @Override
  public synchronized InputStream body() {
    if (stream == null) {
      stream = new BlockingBody();
    }
    return stream;
  }

  @Override
  public Optional<NonBlockingBody> nonBlockingBody() {
    return Optional.of(this);
  }

  @Override
  public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
    while (true) {
      if (ended) {
        return -1;
      }
      if (closed) {
        throw new IOException("response closed");
      }
      if (chunk == null) {
        chunk = source.read();
        if (chunk == null) {
          return 0;
        }
      }
      if (Content.Chunk.isFailure(chunk)) { // kept: the source repeats a failure anyway
        Throwable failure = chunk.getFailure();
        throw failure instanceof IOException io
            ? io
            : new IOException("upstream body failed: " + failure, failure);
      }
      ByteBuffer bytes = chunk.getByteBuffer();
      if (bytes.hasRemaining()) {
        int n = Math.min(length, bytes.remaining());
        bytes.get(buffer, offset, n);
        if (!bytes.hasRemaining()) {
          finishChunk();
        }
        return n;
      }
      finishChunk();
    }
  }

  private void finishChunk() {
    boolean last = chunk.isLast();
    chunk.release();
    chunk = null;
    ended = last;
  }

  @Override
  public void demand(Runnable onReadable) {
    source.demand(onReadable);
  }

  /** Ends the body: releases what it holds and fails the source if it has not ended. */
  @Override
  public void close() {
    end();
  }

  private void end() {
    Content.Chunk held;
    boolean fail;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      held = chunk;
      chunk = null;
      fail = !ended;
    }
    if (held != null) {
      held.release();
    }
    if (fail) { // outside the lock: the source may run the demand callback here
      source.fail(new IOException("response closed before its body ended"));
    }
  }

  /** The body as a blocking stream: the non-blocking reads, waiting on a demand when empty. */
  private final class BlockingBody extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      while (true) {
        int n = JettyResponse.this.read(buffer, offset, length);
        if (n != 0) {
          return n;
        }
        CountDownLatch readable = new CountDownLatch(1);
        demand(readable::countDown);
        try {
          readable.await(); // the idle timeout fails the source, which runs the callback
        } catch (InterruptedException e) {
          // The demand stays registered; no later read may race it, so the body ends here.
          JettyResponse.this.close();
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading the upstream body");
        }
      }
    }

    @Override
    public void close() {
      JettyResponse.this.close();
    }
  }
}
