package dev.llmproxy.servlet;

import dev.llmproxy.api.Headers;
import dev.llmproxy.core.ProxyExchange;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Enumeration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ProxyExchange} over an async servlet request.
 *
 * <p>The exchange thread and the container (reporting a client error through {@link
 * AsyncListener#onError}) may race to end the response, so every response call goes through one
 * lock and an {@code ended} flag: once ended, writes fail with an {@link IOException} ("client
 * gone") instead of touching a recycled response.
 */
final class ServletProxyExchange implements ProxyExchange, AsyncListener {
  /**
   * The container's response buffer: the engine writes each upstream chunk (at most 8 KiB) and
   * flushes it, so a larger buffer (Jetty's default is 32 KiB) would only hold memory per open
   * stream. A hint: Tomcat, whose default is this size already, never shrinks its buffer.
   */
  static final int RESPONSE_BUFFER_BYTES = 8 * 1024;

  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final AsyncContext async;
  private static final Runnable NOT_WATCHING = () -> {};

  private final ContainerSupport support;
  private final String path;
  private final Headers headers;

  /** Not a monitor: a blocking write under it must not pin a virtual thread (Java 21–23). */
  private final ReentrantLock lock = new ReentrantLock();

  private boolean ended;
  private boolean started;
  private Runnable onClientGone;
  private Runnable stopWatching = NOT_WATCHING; // stops the container's disconnect watch
  private boolean clientGone;
  private OutputStream body;

  ServletProxyExchange(
      HttpServletRequest request,
      HttpServletResponse response,
      AsyncContext async,
      ContainerSupport support,
      String path) {
    this.request = request;
    this.response = response;
    this.async = async;
    this.support = support;
    this.path = path;
    this.headers = readHeaders(request);
    async.addListener(this);
  }

  private static Headers readHeaders(HttpServletRequest request) {
    Headers.Builder builder = Headers.builder();
    Enumeration<String> names = request.getHeaderNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      Enumeration<String> values = request.getHeaders(name);
      while (values.hasMoreElements()) {
        builder.add(name, values.nextElement());
      }
    }
    return builder.build();
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String rawQuery() {
    return request.getQueryString();
  }

  @Override
  public Headers requestHeaders() {
    return headers;
  }

  @Override
  public long requestContentLength() {
    return request.getContentLengthLong();
  }

  @Override
  public InputStream requestBody() throws IOException {
    return request.getInputStream();
  }

  @Override
  public Optional<NonBlockingInput> nonBlockingInput() {
    return Optional.of(new NonBlockingRequestBody(request));
  }

  /**
   * While the upstream works, the container watches the quiet connection for the client leaving.
   */
  @Override
  public void waitingForUpstream() {
    lock.lock();
    try {
      if (!ended && !started && stopWatching == NOT_WATCHING) {
        stopWatching = support.watchForDisconnect(request, this::closedByClient);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Called under the lock before anything is written or the request ends. */
  private void stopWatching() {
    Runnable stop = stopWatching;
    stopWatching = NOT_WATCHING;
    try {
      stop.run();
    } catch (RuntimeException e) {
      // the watch is over either way
    }
  }

  @Override
  public void startResponse(int status, Headers headers) throws IOException {
    lock.lock();
    try {
      ensureOpen();
      stopWatching();
      if (!response.isCommitted()) {
        try {
          response.setBufferSize(RESPONSE_BUFFER_BYTES);
        } catch (IllegalStateException e) {
          // something before the filter wrote to the response: keep the container's buffer
        }
      }
      started = true;
      response.setStatus(status);
      for (int i = 0, n = headers.size(); i < n; i++) {
        String name = headers.name(i);
        if (name.equals("content-length")) {
          setContentLength(headers.value(i));
        } else {
          response.addHeader(name, headers.value(i));
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** A length that does not parse is left to the container (chunked), not trusted. */
  private void setContentLength(String value) {
    try {
      long length = Long.parseLong(value.trim());
      if (length >= 0) {
        response.setContentLengthLong(length);
      }
    } catch (NumberFormatException e) {
      // leave framing to the container
    }
  }

  @Override
  public boolean isResponseStarted() {
    lock.lock();
    try {
      return started;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public OutputStream responseBody() throws IOException {
    lock.lock();
    try {
      ensureOpen();
      if (body == null) {
        body = new GuardedOutput(response.getOutputStream(), lock, () -> ended);
      }
      return body;
    } finally {
      lock.unlock();
    }
  }

  /** One per exchange: the relay asks whether it has one, then uses it. */
  private final Optional<NonBlockingOutput> nonBlockingOutput = Optional.of(new NonBlocking());

  @Override
  public Optional<NonBlockingOutput> nonBlockingOutput() {
    return nonBlockingOutput;
  }

  /**
   * The servlet output stream in non-blocking mode, behind the same lock and {@code ended} flag as
   * every other response call: once the exchange has ended, {@link #isReady()} says yes so that the
   * next write fails as "client gone" instead of touching a recycled response.
   */
  private final class NonBlocking implements NonBlockingOutput, WriteListener {
    private ServletOutputStream out; // guarded by lock
    private volatile Runnable onWritable;

    @Override
    public void start(Runnable onWritable) throws IOException {
      lock.lock();
      try {
        ensureOpen();
        this.onWritable = onWritable;
        out = response.getOutputStream();
        out.setWriteListener(this); // the container calls onWritePossible when it can take bytes
      } catch (IllegalStateException e) {
        throw new IOException("non-blocking output refused (client gone)", e);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean isReady() {
      lock.lock();
      try {
        return ended || out.isReady();
      } catch (RuntimeException e) {
        return true; // the next write fails and tells the pump the client is gone
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      lock.lock();
      try {
        ensureOpen();
        out.write(bytes, offset, length);
      } catch (RuntimeException e) {
        throw new IOException("response unusable (client gone)", e);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void flush() throws IOException {
      lock.lock();
      try {
        ensureOpen();
        out.flush();
      } catch (RuntimeException e) {
        throw new IOException("response unusable (client gone)", e);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onWritePossible() {
      onWritable.run();
    }

    @Override
    public void onError(Throwable failure) {
      gone();
      onWritable.run();
    }
  }

  @Override
  public void onClientGone(Runnable onGone) {
    boolean runNow;
    lock.lock();
    try {
      onClientGone = onGone;
      runNow = clientGone;
    } finally {
      lock.unlock();
    }
    if (runNow) {
      onGone.run();
    }
  }

  @Override
  public void complete() {
    lock.lock();
    try {
      if (ended) {
        return;
      }
      ended = true;
      stopWatching();
      try {
        async.complete();
      } catch (IllegalStateException e) {
        // the container already ended the request
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A started response is ended through the container's {@link ContainerSupport#abort}, so the
   * client can tell a broken answer from a complete one, even when its headers are still in the
   * buffer; one never started is simply completed.
   */
  @Override
  public void abort() {
    lock.lock();
    try {
      if (ended) {
        return;
      }
      ended = true;
      stopWatching();
      try {
        if (started || response.isCommitted()) {
          support.abort(request, async);
        } else {
          async.complete();
        }
      } catch (RuntimeException e) {
        // the container already ended the request, or refused to abort it
      }
    } finally {
      lock.unlock();
    }
  }

  private void ensureOpen() throws IOException {
    if (ended) {
      throw new IOException("the exchange has ended (client gone)");
    }
  }

  /**
   * The watch saw the client close its connection before the answer started: drop the connection
   * (nothing is sent, as nginx does for a client that closed), then tell the engine.
   */
  private void closedByClient() {
    lock.lock();
    try {
      if (!ended && !started) {
        ended = true;
        stopWatching = NOT_WATCHING; // it has fired
        try {
          support.abort(request, async);
        } catch (RuntimeException e) {
          // the container ended the request already
        }
      }
    } finally {
      lock.unlock();
    }
    gone();
  }

  /** The client is gone: end the request ourselves, as the spec expects, then tell the engine. */
  private void gone() {
    Runnable callback;
    lock.lock();
    try {
      clientGone = true;
      callback = onClientGone;
      stopWatching();
      if (!ended) {
        ended = true;
        try {
          async.complete();
        } catch (IllegalStateException e) {
          // already ended
        }
      }
    } finally {
      lock.unlock();
    }
    if (callback != null) {
      callback.run();
    }
  }

  @Override
  public void onComplete(AsyncEvent event) {}

  @Override
  public void onTimeout(AsyncEvent event) {
    gone();
  }

  @Override
  public void onError(AsyncEvent event) {
    gone();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}
}
