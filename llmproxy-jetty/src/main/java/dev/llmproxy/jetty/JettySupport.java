package dev.llmproxy.jetty;

import dev.llmproxy.servlet.ContainerSupport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * {@link ContainerSupport} for Jetty 12 (ee10), which {@code LlmProxyFilter} finds by itself when
 * this module is on the class path.
 *
 * <ul>
 *   <li><b>Abort</b>: {@code ServletChannel.abort}, so the client sees the connection drop without
 *       the final chunk.
 *   <li><b>Disconnect watch</b>: while the proxy waits for the upstream, an HTTP/1 connection whose
 *       request was read whole is not read by Jetty, so a client closing it goes unnoticed until
 *       the first write. The watch registers read interest on the connection's end point; when the
 *       client closes it, Jetty reads the end of stream and fails the request, which reaches the
 *       adapter as {@code AsyncListener.onError}. Stopping the watch withdraws the interest, which
 *       Jetty's own connection needs back before the response completes. If the watch read a byte
 *       of real data instead (a client pipelining its next request), that byte is gone from Jetty's
 *       view of the connection, so the answer says {@code Connection: close}: the client sends its
 *       next request again on a new connection instead of Jetty parsing it without its first byte.
 *       HTTP/2 reports a client's stream reset by itself.
 * </ul>
 */
public final class JettySupport implements ContainerSupport {
  private static final Runnable NOTHING = () -> {};
  private static final Throwable WATCH_OVER = new CancellationException("disconnect watch over");

  private final boolean watchDisconnects;

  /** Aborts and watches; registered for {@link java.util.ServiceLoader}. */
  public JettySupport() {
    this(true);
  }

  /**
   * Aborts, and watches for disconnects if {@code watchDisconnects}. A client that half-closes its
   * connection after sending the request (rare; some raw tools do) reads to the watch as one that
   * left, as it does to nginx; turn the watch off for such clients.
   */
  public JettySupport(boolean watchDisconnects) {
    this.watchDisconnects = watchDisconnects;
  }

  @Override
  public boolean supports(ServletContext context) {
    return context.getClass().getName().startsWith("org.eclipse.jetty.ee10.");
  }

  @Override
  public void abort(HttpServletRequest request, AsyncContext async) {
    ServletContextRequest.getServletContextRequest(request)
        .getServletChannel()
        .abort(new IOException("upstream response broke off"));
  }

  @Override
  public Runnable watchForDisconnect(HttpServletRequest request, Runnable onGone) {
    if (!watchDisconnects) {
      return NOTHING;
    }
    ConnectionMetaData connection =
        ServletContextRequest.getServletContextRequest(request).getConnectionMetaData();
    HttpVersion version = connection.getHttpVersion();
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
      return NOTHING;
    }
    EndPoint endPoint = connection.getConnection().getEndPoint();
    if (!(endPoint instanceof AbstractEndPoint watched)) {
      return NOTHING;
    }
    Probe probe = new Probe(endPoint, onGone);
    if (!endPoint.tryFillInterested(probe)) {
      return NOTHING; // something else reads it already
    }
    return () -> {
      // Only while the probe still holds the interest: once it fired, the interest may be
      // Jetty's own, and failing that would close the connection.
      if (probe.over.compareAndSet(false, true)) {
        watched.getFillInterest().onFail(WATCH_OVER);
      } else if (probe.readData()) {
        ServletContextRequest.getServletContextRequest(request)
            .getServletContextResponse()
            .getHeaders()
            .put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
      }
    };
  }

  /**
   * Read interest that checks, once readable, whether the client closed its end, and remembers
   * whether it read a byte of data instead.
   */
  private record Probe(
      EndPoint endPoint,
      Runnable onGone,
      AtomicBoolean over,
      CountDownLatch filled,
      AtomicBoolean dataRead)
      implements Callback {
    Probe(EndPoint endPoint, Runnable onGone) {
      this(endPoint, onGone, new AtomicBoolean(), new CountDownLatch(1), new AtomicBoolean());
    }

    @Override
    public void succeeded() {
      if (!over.compareAndSet(false, true)) {
        return; // the watch was stopped first
      }
      int read;
      try {
        read = endPoint.fill(BufferUtil.allocate(1));
      } catch (IOException e) {
        read = -1; // reset by the peer
      }
      dataRead.set(read > 0);
      filled.countDown(); // before onGone, which takes the lock the stopping thread holds
      if (read < 0) {
        onGone.run();
      }
    }

    /**
     * Whether the probe, which fired, took a byte of data from the connection. Waits for its
     * non-blocking read to finish: microseconds, bounded in case the selector's thread stalls.
     */
    boolean readData() {
      try {
        if (!filled.await(1, TimeUnit.SECONDS)) {
          return true; // unknown: closing the connection is the safe answer
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
      return dataRead.get();
    }

    /** Blocking: {@code onGone} takes the exchange's lock, never on the selector's thread. */
    @Override
    public InvocationType getInvocationType() {
      return InvocationType.BLOCKING;
    }
  }
}
