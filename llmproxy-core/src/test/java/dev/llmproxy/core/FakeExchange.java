package dev.llmproxy.core;

import dev.llmproxy.api.Headers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An in-memory {@link ProxyExchange} for engine tests: records the response it is given. */
final class FakeExchange implements ProxyExchange {
  private final String method;
  private final String path;
  private final Headers headers;
  private final InputStream body;
  private final long contentLength;
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);
  final ByteArrayOutputStream responseBody = new ByteArrayOutputStream();
  volatile int status;
  volatile Headers responseHeaders;
  volatile boolean aborted;
  volatile boolean failWrites;

  /** Flushes before any body byte was written: each would send the headers on their own. */
  volatile int flushesBeforeBody;

  FakeExchange(String method, String path, Headers headers, byte[] body) {
    this(method, path, headers, new ByteArrayInputStream(body), body.length);
  }

  FakeExchange(String method, String path, Headers headers, InputStream body, long length) {
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.body = body;
    this.contentLength = length;
  }

  static FakeExchange post(String path, String token, String json) {
    return new FakeExchange(
        "POST",
        path,
        Headers.of("x-api-key", token, "content-type", "application/json"),
        json.getBytes(StandardCharsets.UTF_8));
  }

  /** Waits for the engine to complete or abort the exchange. */
  FakeExchange await() throws InterruptedException {
    if (!ended.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("exchange did not end");
    }
    return this;
  }

  /** Waits for the engine to start the response. */
  void awaitStart() throws InterruptedException {
    if (!started.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("response did not start");
    }
  }

  String body() {
    return responseBody.toString(StandardCharsets.UTF_8);
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String rawQuery() {
    return null;
  }

  @Override
  public Headers requestHeaders() {
    return headers;
  }

  @Override
  public long requestContentLength() {
    return contentLength;
  }

  @Override
  public InputStream requestBody() {
    return body;
  }

  @Override
  public void startResponse(int status, Headers headers) {
    this.status = status;
    this.responseHeaders = headers;
    started.countDown();
  }

  @Override
  public boolean isResponseStarted() {
    return responseHeaders != null;
  }

  @Override
  public OutputStream responseBody() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        if (failWrites) {
          throw new IOException("client gone");
        }
        responseBody.write(bytes, offset, length);
      }

      @Override
      public void flush() {
        if (responseBody.size() == 0) {
          flushesBeforeBody++;
        }
      }
    };
  }

  /** The non-blocking request body this exchange offers, or null for a blocking one only. */
  volatile NonBlockingInput nonBlockingInput;

  @Override
  public java.util.Optional<NonBlockingInput> nonBlockingInput() {
    return java.util.Optional.ofNullable(nonBlockingInput);
  }

  /** The non-blocking output this exchange offers, or null for a blocking one only. */
  volatile NonBlockingOutput nonBlockingOutput;

  /** What the engine asked to run when the client goes. */
  volatile Runnable onClientGone;

  @Override
  public java.util.Optional<NonBlockingOutput> nonBlockingOutput() {
    return java.util.Optional.ofNullable(nonBlockingOutput);
  }

  @Override
  public void onClientGone(Runnable onGone) {
    this.onClientGone = onGone;
  }

  @Override
  public void complete() {
    ended.countDown();
  }

  @Override
  public void abort() {
    aborted = true;
    ended.countDown();
  }
}
