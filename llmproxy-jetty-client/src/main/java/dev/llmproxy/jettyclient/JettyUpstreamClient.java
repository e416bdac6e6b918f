package dev.llmproxy.jettyclient;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An {@link UpstreamClient} on Jetty 12's {@link HttpClient} whose responses offer a {@link
 * NonBlockingBody}: the proxy reads a chunk only when its client can take it, and an open stream
 * holds no thread while it waits. Like the OkHttp client it follows no redirect, retries nothing,
 * decodes no content and keeps no cookie; each request gets the idle timeout (the longest silence
 * between bytes, 10 minutes by default) and a 10 s connect timeout.
 *
 * <p>Owns a started Jetty client; {@link #close()} stops it.
 */
public final class JettyUpstreamClient implements UpstreamClient, AutoCloseable {
  /** Default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default idle timeout. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

  private final HttpClient http;
  private final long idleTimeoutMillis;

  private JettyUpstreamClient(Duration connectTimeout, Duration idleTimeout, Executor executor) {
    this.idleTimeoutMillis = idleTimeout.toMillis();
    http = new HttpClient();
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
    return new JettyUpstreamClient(DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, null);
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
    return new JettyUpstreamClient(connectTimeout, idleTimeout, executor);
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

  /** One request; its future completes with the response headers, on Jetty's thread. */
  private static final class JettyCall implements UpstreamCall {
    private final Request request;
    private final CompletableFuture<UpstreamResponse> headers = new CompletableFuture<>();
    private volatile boolean sent;
    private volatile boolean canceled;

    JettyCall(Request request) {
      this.request = request;
    }

    @Override
    public UpstreamResponse execute() throws IOException {
      try {
        return executeAsync().get();
      } catch (InterruptedException e) {
        cancel();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the upstream");
      } catch (ExecutionException e) {
        throw (IOException) e.getCause(); // executeAsync fails with IOExceptions only
      }
    }

    @Override
    public CompletableFuture<UpstreamResponse> executeAsync() {
      request.onRequestCommit(r -> sent = true);
      request.onResponseContentSource(
          (response, source) -> headers.complete(new JettyResponse(response, source)));
      request.send(
          result -> {
            if (result.isFailed()) {
              Throwable failure = result.getFailure();
              headers.completeExceptionally(
                  failure instanceof IOException
                      ? failure
                      : new IOException(failure.toString(), failure));
            } else { // a response whose content source was never offered: no body
              headers.complete(
                  new JettyResponse(
                      result.getResponse(), Content.Source.from(ByteBuffer.allocate(0))));
            }
          });
      return headers;
    }

    @Override
    public void cancel() {
      canceled = true;
      request.abort(new IOException("upstream call cancelled"));
    }

    @Override
    public boolean requestSent() {
      return sent;
    }

    @Override
    public boolean isCanceled() {
      return canceled;
    }
  }

  /** Status and headers, and the body as Jetty's content source. */
  private static final class JettyResponse implements UpstreamResponse, NonBlockingBody {
    private final int status;
    private final Headers headers;
    private final Content.Source source;
    private Content.Chunk chunk; // the chunk being read, held until it is used up
    private InputStream stream;
    private boolean ended;

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
        byte[] held = new byte[0]; // a chunk read in part without blocking: its rest comes first
        if (chunk != null && !Content.Chunk.isFailure(chunk)) { // a failure, the source repeats
          ByteBuffer bytes = chunk.getByteBuffer();
          held = new byte[bytes.remaining()];
          bytes.get(held);
          finishChunk();
        }
        InputStream rest =
            ended ? InputStream.nullInputStream() : Content.Source.asInputStream(source);
        stream =
            held.length == 0 ? rest : new SequenceInputStream(new ByteArrayInputStream(held), rest);
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
        if (chunk == null) {
          chunk = source.read();
          if (chunk == null) {
            return 0;
          }
        }
        if (Content.Chunk.isFailure(chunk)) {
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

    @Override
    public synchronized void close() {
      if (chunk != null) {
        chunk.release();
        chunk = null;
      }
      if (!ended) {
        source.fail(new IOException("response closed before its body ended"));
      }
    }
  }
}
