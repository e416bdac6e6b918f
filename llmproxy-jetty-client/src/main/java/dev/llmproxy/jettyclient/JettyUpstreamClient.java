package dev.llmproxy.jettyclient;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.api.UpstreamRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An {@link UpstreamClient} on Jetty 12's {@link HttpClient} whose responses offer a {@link
 * dev.llmproxy.api.NonBlockingBody}: the proxy reads a chunk only when its client can take it, and
 * an open stream holds no thread while it waits. Like the OkHttp client it follows no redirect,
 * retries nothing, decodes no content and keeps no cookie; each request gets the idle timeout (the
 * longest silence between bytes, 10 minutes by default) and a 10 s connect timeout.
 *
 * <p>Owns a started Jetty client; {@link #close()} stops it.
 */
public final class JettyUpstreamClient implements UpstreamClient, AutoCloseable {
  /** Default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default idle timeout. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

  /** The buffer each read of an answer from the network fills (Jetty's default: 16 KiB). */
  static final int RESPONSE_BUFFER_BYTES = 2048;

  private final HttpClient http;
  private final long idleTimeoutMillis;

  JettyUpstreamClient(
      Duration connectTimeout, Duration idleTimeout, Executor executor, ByteBufferPool buffers) {
    this.idleTimeoutMillis = idleTimeout.toMillis();
    http = new HttpClient();
    // Not Jetty's pooling default. Jetty 12.1's HTTP/1.1 receiver can release its network buffer
    // while still using it, when a connection fails (a reset, a body broken off, a malformed
    // chunk) or an exchange is failed from another thread while it parses
    // (jetty/jetty.project#12934); a pool then lends that buffer to another connection, whose
    // answer loses bytes. FaultMixTest shows it: pooled, about one healthy answer in 2,500 broke
    // while a third of the connections failed; none without. A buffer never reused is never
    // shared. Each read of the network now allocates its buffer, so the buffers are small heap
    // ones: an SSE event is a few hundred bytes, and Jetty's 16 KiB made nine times the garbage
    // (docs/performance.md).
    http.setByteBufferPool(buffers != null ? buffers : new ByteBufferPool.NonPooling());
    http.setUseInputDirectByteBuffers(false);
    http.setUseOutputDirectByteBuffers(false);
    http.setResponseBufferSize(RESPONSE_BUFFER_BYTES);
    if (executor != null) {
      http.setExecutor(executor); // started, so Jetty leaves it to its owner
    } else {
      QueuedThreadPool threads = new QueuedThreadPool(64, 2);
      threads.setName("llmproxy-upstream");
      threads.setDaemon(true);
      http.setExecutor(threads);
    }
    http.setConnectTimeout(connectTimeout.toMillis());
    http.setIdleTimeout(idleTimeoutMillis);
    http.setFollowRedirects(false);
    http.setUserAgentField(null); // the client's own user agent, if allowed, is forwarded
    http.setHttpCookieStore(new HttpCookieStore.Empty());
    http.setDefaultRequestContentType(null);
    http.setMaxConnectionsPerDestination(65_536); // the concurrency limit is the proxy's
    http.setMaxRequestsQueuedPerDestination(65_536);
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty's HttpClient did not start", e);
    }
    // Bytes cross verbatim, compressed or not; the decoders are installed by start().
    http.getContentDecoderFactories().clear();
  }

  /** A client with the default timeouts. */
  public static JettyUpstreamClient create() {
    return create(DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, null);
  }

  /**
   * A client with these timeouts (a zero idle timeout means none), on a pool of its own of up to 64
   * threads.
   */
  public static JettyUpstreamClient create(Duration connectTimeout, Duration idleTimeout) {
    return create(connectTimeout, idleTimeout, null);
  }

  /**
   * A client with these timeouts whose I/O runs on {@code executor}, e.g. the Jetty server's own
   * thread pool, so that the proxy's process has one pool to size; a pool of its own if null. A
   * Jetty pool given here must be started already; the client then leaves stopping it to its owner.
   */
  public static JettyUpstreamClient create(
      Duration connectTimeout, Duration idleTimeout, Executor executor) {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (connectTimeout.isNegative() || idleTimeout.isNegative()) {
      throw new IllegalArgumentException("timeouts must not be negative");
    }
    return new JettyUpstreamClient(connectTimeout, idleTimeout, executor, null);
  }

  @Override
  public UpstreamCall newCall(UpstreamRequest request) {
    Request jetty = newRequest(request.url()).method(request.method());
    jetty.idleTimeout(idleTimeoutMillis, TimeUnit.MILLISECONDS);
    Headers headers = request.headers();
    jetty.headers(
        fields -> {
          for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i);
            String value = headers.value(i);
            checkValue(name, value);
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("host")) {
              fields.add(name, value);
            }
          }
        });
    if (request.body().length > 0) {
      jetty.body(new BytesRequestContent((String) null, request.body()));
    }
    return new JettyCall(jetty);
  }

  /**
   * A request to {@code url}, its path and query sent as they are, except what no URI may hold: a
   * {@code %} that begins no escape is sent as {@code %25}, and a character outside the URI syntax
   * (a space, {@code |}, {@code #}, non-ASCII) as its UTF-8 escapes, where Jetty's client would
   * fail the request instead. (OkHttp leaves a few of these, such as {@code |} in a query, as they
   * are; none changes what the target means to a server that follows RFC 3986.)
   */
  private Request newRequest(String url) {
    int authority = url.indexOf("://");
    int target = authority < 0 ? -1 : url.indexOf('/', authority + 3);
    if (target < 0) {
      return http.newRequest(url);
    }
    return http.newRequest(URI.create(url.substring(0, target) + escaped(url.substring(target))));
  }

  private static final String URI_CHARACTERS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?";

  /** {@code target} with every character a URI may not hold escaped; unchanged if none. */
  static String escaped(String target) {
    StringBuilder out = null;
    for (int i = 0; i < target.length(); ) {
      int c = target.codePointAt(i);
      int next = i + Character.charCount(c);
      boolean keep =
          c == '%'
              ? next + 2 <= target.length()
                  && isHex(target.charAt(next))
                  && isHex(target.charAt(next + 1))
              : c < 128 && URI_CHARACTERS.indexOf(c) >= 0;
      if (!keep && out == null) {
        out = new StringBuilder(target.length() + 16).append(target, 0, i);
      }
      if (out != null) {
        if (keep) {
          out.appendCodePoint(c);
        } else {
          for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
          }
        }
      }
      i = next;
    }
    return out == null ? target : out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** CR, LF or NUL never cross; the exception never quotes the value (it may be a credential). */
  private static void checkValue(String name, String value) {
    for (int c = 0; c < value.length(); c++) {
      char ch = value.charAt(c);
      if (ch == '\r' || ch == '\n' || ch == '\0') {
        throw new IllegalArgumentException("control character in header " + name);
      }
    }
  }

  /** Stops the Jetty client: its connections close and its threads end. */
  @Override
  public void close() {
    try {
      http.stop();
    } catch (Exception e) {
      // stopping is best effort
    }
  }
}
