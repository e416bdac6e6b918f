package dev.llmproxy.servlet;

import dev.llmproxy.core.ProxyExchange;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * The request body in the servlet's non-blocking mode ({@link ReadListener}), evening out how
 * containers report its end: once the body has ended or failed, {@link #isReady()} says yes and
 * {@link #read} returns -1 or throws (Tomcat's {@code isReady()} says no once the body is finished,
 * and reports the end only through {@link #onAllDataRead()}).
 */
final class NonBlockingRequestBody implements ProxyExchange.NonBlockingInput, ReadListener {
  private final HttpServletRequest request;
  private ServletInputStream in; // set by start, before any callback
  private volatile Runnable onReadable;
  private volatile boolean allRead;
  private volatile IOException failure;

  NonBlockingRequestBody(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public void start(Runnable onReadable) throws IOException {
    this.onReadable = onReadable;
    in = request.getInputStream();
    try {
      in.setReadListener(this); // the container calls onDataAvailable once it has bytes
    } catch (IllegalStateException e) {
      throw new IOException("non-blocking read refused (client gone)", e);
    }
  }

  @Override
  public boolean isReady() {
    if (failure != null || allRead) {
      return true;
    }
    try {
      return in.isFinished() || in.isReady();
    } catch (RuntimeException e) {
      failure = new IOException("request body unreadable (client gone)", e);
      return true;
    }
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    IOException failed = failure;
    if (failed != null) {
      throw failed;
    }
    try {
      if (in.isFinished()) {
        return -1;
      }
      return in.read(bytes, offset, length);
    } catch (RuntimeException e) {
      throw new IOException("request body unreadable (client gone)", e);
    }
  }

  @Override
  public void onDataAvailable() {
    onReadable.run();
  }

  @Override
  public void onAllDataRead() {
    allRead = true;
    onReadable.run();
  }

  @Override
  public void onError(Throwable t) {
    failure = new IOException("request body failed (client gone): " + t.getClass().getName(), t);
    onReadable.run();
  }
}
