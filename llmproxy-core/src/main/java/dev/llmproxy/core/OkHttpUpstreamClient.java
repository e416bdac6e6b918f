package dev.llmproxy.core;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The default {@link UpstreamClient}, on OkHttp: a 10 s connect timeout, no overall call timeout
 * (streams are open-ended), and an idle read timeout — the longest silence tolerated between bytes,
 * generous by default because long "thinking" pauses are normal. Redirects are returned to the
 * caller, not followed; failed connections are not retried, so a request reaches the upstream at
 * most once.
 */
public final class OkHttpUpstreamClient implements UpstreamClient, AutoCloseable {
  /** Default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default idle read timeout. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMinutes(10);

  /** Methods OkHttp refuses without a body; they get an empty one. */
  private static final Set<String> METHODS_WITH_BODY =
      Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

  private final OkHttpClient client;
  private final boolean ownsClient;

  private OkHttpUpstreamClient(OkHttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /** A builder with the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public UpstreamCall newCall(UpstreamRequest request) {
    Request.Builder builder = new Request.Builder().url(request.url());
    builder.headers(okHttpHeaders(request.headers()));
    RequestBody body = null;
    if (request.body().length > 0 || METHODS_WITH_BODY.contains(request.method())) {
      body = RequestBody.create(request.body());
    }
    builder.method(request.method(), body);
    SentFlag sent = new SentFlag();
    builder.tag(SentFlag.class, sent);
    return new OkHttpCall(client.newCall(builder.build()), sent);
  }

  /** Closes the connection pool and dispatcher threads this client created for itself. */
  @Override
  public void close() {
    if (ownsClient) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  /** Set by {@link #SENT_LISTENER} once a call's request headers are on the wire. */
  private static final class SentFlag {
    volatile boolean sent;
  }

  private static final EventListener SENT_LISTENER =
      new EventListener() {
        @Override
        public void requestHeadersEnd(Call call, Request request) {
          SentFlag flag = request.tag(SentFlag.class);
          if (flag != null) {
            flag.sent = true;
          }
        }
      };

  /**
   * Converts headers, allowing non-ASCII values (a client's user agent may carry them) but never
   * CR, LF or NUL. The exception never quotes the value: it may be a credential.
   */
  private static okhttp3.Headers okHttpHeaders(Headers headers) {
    okhttp3.Headers.Builder builder = new okhttp3.Headers.Builder();
    for (int i = 0, n = headers.size(); i < n; i++) {
      String value = headers.value(i);
      for (int c = 0; c < value.length(); c++) {
        char ch = value.charAt(c);
        if (ch == '\r' || ch == '\n' || ch == '\0') {
          throw new IllegalArgumentException("control character in header " + headers.name(i));
        }
      }
      builder.addUnsafeNonAscii(headers.name(i), value);
    }
    return builder.build();
  }

  /** Configures an {@link OkHttpUpstreamClient}. */
  public static final class Builder {
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private int maxIdleConnections = 256;
    private OkHttpClient base;

    private Builder() {}

    /** How long to wait for a TCP/TLS connection; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** The longest silence tolerated while waiting for bytes; default 10 min; zero = none. */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Idle keep-alive connections kept per client; default 256. */
    public Builder maxIdleConnections(int connections) {
      this.maxIdleConnections = connections;
      return this;
    }

    /**
     * An OkHttp client to derive from (sharing its pool, dispatcher, proxy or TLS settings); the
     * timeouts, redirect and retry settings of this builder still apply.
     */
    public Builder okHttpClient(OkHttpClient client) {
      this.base = Objects.requireNonNull(client);
      return this;
    }

    public OkHttpUpstreamClient build() {
      OkHttpClient.Builder builder =
          base != null
              ? base.newBuilder()
              : new OkHttpClient.Builder()
                  .connectionPool(new ConnectionPool(maxIdleConnections, 5, TimeUnit.MINUTES));
      return new OkHttpUpstreamClient(
          builder
              .eventListener(SENT_LISTENER)
              .connectTimeout(connectTimeout)
              .readTimeout(readTimeout)
              .writeTimeout(readTimeout)
              .callTimeout(Duration.ZERO)
              .followRedirects(false)
              .followSslRedirects(false)
              .retryOnConnectionFailure(false)
              .build(),
          base == null);
    }
  }

  private static final class OkHttpCall implements UpstreamCall {
    private final Call call;
    private final SentFlag sent;

    OkHttpCall(Call call, SentFlag sent) {
      this.call = call;
      this.sent = sent;
    }

    @Override
    public boolean requestSent() {
      return sent.sent;
    }

    @Override
    public UpstreamResponse execute() throws IOException {
      return new OkHttpResponse(call.execute());
    }

    @Override
    public void cancel() {
      call.cancel();
    }

    @Override
    public boolean isCanceled() {
      return call.isCanceled();
    }
  }

  private static final class OkHttpResponse implements UpstreamResponse {
    private final Response response;
    private final Headers headers;

    OkHttpResponse(Response response) {
      this.response = response;
      okhttp3.Headers source = response.headers();
      Headers.Builder builder = Headers.builder();
      for (int i = 0, n = source.size(); i < n; i++) {
        builder.add(source.name(i), source.value(i));
      }
      this.headers = builder.build();
    }

    @Override
    public int status() {
      return response.code();
    }

    @Override
    public Headers headers() {
      return headers;
    }

    @Override
    public InputStream body() {
      return response.body().byteStream();
    }

    @Override
    public void close() {
      response.close();
    }
  }
}
