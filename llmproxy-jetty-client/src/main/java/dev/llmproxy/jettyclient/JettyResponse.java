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
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;

/**
 * Status and headers, and the body as Jetty's content source, read without blocking or through a
 * blocking stream on top of the same reads.
 *
 * <p><b>Ending a body early happens on Jetty's receiving thread.</b> Jetty 12.1's HTTP/1.1 receiver
 * releases its network buffer both in its fill-and-parse loop and when the exchange fails; a
 * failure raised from another thread while the loop runs can release the buffer twice
 * (jetty/jetty.project#12934), and the pool then lends one buffer to two connections: bytes of one
 * answer turn up in another, or vanish. The loop runs while a demand is pending, so then {@link
 * #close()} does not fail the source itself: it shuts the socket's input, which the loop reads as
 * the peer closing, and the demand's callback, on the loop's thread, ends the body. With no demand
 * pending the loop is not running, and the body is ended at once.
 */
final class JettyResponse implements UpstreamResponse, NonBlockingBody {
  private final int status;
  private final Headers headers;
  private final Content.Source source;
  private final Request request;
  private final Sockets sockets;

  // Guarded by this.
  private Content.Chunk chunk; // the chunk being read, held until it is used up
  private InputStream stream;
  private boolean ended; // the body's last chunk was read
  private boolean demandPending; // Jetty's receiving loop may be running
  private boolean endRequested; // close() waits for the pending demand's callback
  private boolean closed;

  JettyResponse(Response response, Content.Source source, Request request, Sockets sockets) {
    this.status = response.getStatus();
    Headers.Builder builder = Headers.builder();
    for (HttpField field : response.getHeaders()) {
      if (field.getHeader() != HttpHeader.C_STATUS) {
        builder.add(field.getName(), field.getValue());
      }
    }
    this.headers = builder.build();
    this.source = source;
    this.request = request;
    this.sockets = sockets;
  }

  /** A response whose content source was never offered: it has no body. */
  static JettyResponse withoutBody(Response response, Request request, Sockets sockets) {
    return new JettyResponse(
        response, Content.Source.from(ByteBuffer.allocate(0)), request, sockets);
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
    synchronized (this) {
      demandPending = true;
    }
    source.demand(
        () -> {
          boolean end;
          synchronized (this) {
            demandPending = false;
            end = endRequested;
          }
          if (end) {
            end(); // on the receiving loop's thread, where failing the source is safe
          }
          onReadable.run();
        });
  }

  /**
   * Ends the body: at once, or, while a demand is pending, by shutting the socket's input and
   * letting the demand's callback end it (see the class comment). Any thread; idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed || endRequested) {
        return;
      }
      if (demandPending && !ended) {
        endRequested = true;
        if (sockets.shutInput(request, this::end)) { // end() runs later if the receiver never does
          return;
        }
      }
    }
    end();
  }

  /** Releases the held chunk and fails the source if it has not ended. */
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
