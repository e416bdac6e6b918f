package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An upstream answer read into memory up to a limit, so that failover can try another member and
 * still return this answer verbatim if none does better: read whole and closed (its connection goes
 * back to the pool), or, when larger than the limit, {@linkplain #isPartial() partial}: what was
 * read, then the rest, still open. Read without a thread when its body allows.
 */
final class WholeBody implements UpstreamResponse {
  private final UpstreamResponse response;
  private final byte[] prefix;
  private final boolean partial;

  private WholeBody(UpstreamResponse response, byte[] prefix, boolean partial) {
    this.response = response;
    this.prefix = prefix;
    this.partial = partial;
  }

  /**
   * Reads {@code response}'s body, up to {@code limit} bytes: on this thread unless {@code async};
   * if {@code async}, with {@link NonBlockingBody} reads when the response offers one, else on
   * {@code blockingReads} (this may be the upstream client's thread, which a blocking read of its
   * own response would wait on forever).
   */
  static CompletableFuture<WholeBody> read(
      UpstreamResponse response, int limit, boolean async, Executor blockingReads) {
    if (!async) {
      return CompletableFuture.completedFuture(readBlocking(response, limit));
    }
    Optional<NonBlockingBody> body = response.nonBlockingBody();
    if (body.isEmpty()) {
      return CompletableFuture.supplyAsync(() -> readBlocking(response, limit), blockingReads);
    }
    Collector collector = new Collector(response, body.get(), limit);
    collector.run();
    return collector.done;
  }

  private static WholeBody readBlocking(UpstreamResponse response, int limit) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    InputStream in = response.body();
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        body.write(buffer, 0, n);
        if (body.size() > limit) {
          return new WholeBody(response, body.toByteArray(), true);
        }
      }
    } catch (IOException e) {
      // the error answer broke off: keep what arrived
    }
    response.close();
    return new WholeBody(response, body.toByteArray(), false);
  }

  /** Whether this holds only the start of the body, the rest still to be read from upstream. */
  boolean isPartial() {
    return partial;
  }

  @Override
  public int status() {
    return response.status();
  }

  @Override
  public Headers headers() {
    return response.headers();
  }

  @Override
  public InputStream body() {
    InputStream start = new ByteArrayInputStream(prefix);
    return partial ? new SequenceInputStream(start, response.body()) : start;
  }

  @Override
  public Optional<NonBlockingBody> nonBlockingBody() {
    if (!partial) {
      return Optional.of(new PrefixedBody(prefix, null));
    }
    return response.nonBlockingBody().map(rest -> new PrefixedBody(prefix, rest));
  }

  @Override
  public void close() {
    if (partial) {
      response.close();
    }
  }

  /** Reads a body as it arrives, each callback going on where the last left off. */
  private static final class Collector implements Runnable {
    private final UpstreamResponse response;
    private final NonBlockingBody body;
    private final int limit;
    private final ByteArrayOutputStream read = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[8192];
    final CompletableFuture<WholeBody> done = new CompletableFuture<>();

    Collector(UpstreamResponse response, NonBlockingBody body, int limit) {
      this.response = response;
      this.body = body;
      this.limit = limit;
    }

    @Override
    public void run() {
      try {
        while (true) {
          int n = body.read(buffer, 0, buffer.length);
          if (n == 0) {
            body.demand(this); // may run again at once, on this thread
            return;
          }
          if (n < 0) {
            break;
          }
          read.write(buffer, 0, n);
          if (read.size() > limit) {
            done.complete(new WholeBody(response, read.toByteArray(), true));
            return;
          }
        }
      } catch (IOException e) {
        // the error answer broke off: keep what arrived
      } catch (Throwable e) { // an Error too: the exchange waits on this future
        response.close();
        done.completeExceptionally(e);
        return;
      }
      response.close();
      done.complete(new WholeBody(response, read.toByteArray(), false));
    }
  }

  /** Bytes already read, then (if any) the rest of the body as it arrives. */
  private static final class PrefixedBody implements NonBlockingBody {
    private final byte[] prefix;
    private final NonBlockingBody rest; // null: the prefix is the whole body
    private int position;

    PrefixedBody(byte[] prefix, NonBlockingBody rest) {
      this.prefix = prefix;
      this.rest = rest;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (position < prefix.length) {
        int n = Math.min(length, prefix.length - position);
        System.arraycopy(prefix, position, buffer, offset, n);
        position += n;
        return n;
      }
      return rest == null ? -1 : rest.read(buffer, offset, length);
    }

    @Override
    public void demand(Runnable onReadable) {
      if (position < prefix.length || rest == null) {
        onReadable.run();
      } else {
        rest.demand(onReadable);
      }
    }
  }
}
