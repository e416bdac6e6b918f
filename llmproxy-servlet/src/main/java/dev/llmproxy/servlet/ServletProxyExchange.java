package dev.llmproxy.servlet;

import dev.llmproxy.api.Headers;
import dev.llmproxy.core.ProxyExchange;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Enumeration;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link ProxyExchange} over an async servlet request. */
final class ServletProxyExchange implements ProxyExchange, AsyncListener {
  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final AsyncContext async;
  private final String path;
  private final Headers headers;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Runnable onClientGone;
  private volatile boolean clientGone;
  private boolean started;

  ServletProxyExchange(
      HttpServletRequest request, HttpServletResponse response, AsyncContext async, String path) {
    this.request = request;
    this.response = response;
    this.async = async;
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
  public void startResponse(int status, Headers headers) {
    started = true;
    response.setStatus(status);
    for (int i = 0, n = headers.size(); i < n; i++) {
      String name = headers.name(i);
      if (name.equals("content-length")) {
        response.setContentLengthLong(Long.parseLong(headers.value(i)));
      } else {
        response.addHeader(name, headers.value(i));
      }
    }
  }

  @Override
  public boolean isResponseStarted() {
    return started;
  }

  @Override
  public OutputStream responseBody() throws IOException {
    return response.getOutputStream();
  }

  @Override
  public void onClientGone(Runnable onGone) {
    this.onClientGone = onGone;
    if (clientGone) {
      onGone.run();
    }
  }

  @Override
  public void complete() {
    if (ended.compareAndSet(false, true)) {
      try {
        async.complete();
      } catch (IllegalStateException e) {
        // The container already ended the request (client gone, container shutdown).
      }
    }
  }

  @Override
  public void abort() {
    // The Servlet API cannot reset a committed response; completing it is the portable best.
    // A body cut short against its Content-Length is still seen as truncated by the client.
    complete();
  }

  private void gone() {
    clientGone = true;
    Runnable callback = onClientGone;
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
