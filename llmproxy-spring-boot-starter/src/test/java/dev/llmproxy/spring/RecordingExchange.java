package dev.llmproxy.spring;

import dev.llmproxy.api.Headers;
import dev.llmproxy.core.ProxyExchange;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One request handed straight to an {@code LlmProxy}, recording its answer. */
final class RecordingExchange implements ProxyExchange {
  private final String path;
  private final Headers requestHeaders;
  private final byte[] body;
  private final ByteArrayOutputStream answer = new ByteArrayOutputStream();
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile int status;
  private volatile Headers headers = Headers.builder().build();
  private volatile boolean started;

  RecordingExchange(String path, String token, String json) {
    this.path = path;
    this.requestHeaders =
        Headers.builder().add("x-api-key", token).add("content-type", "application/json").build();
    this.body = json.getBytes(StandardCharsets.UTF_8);
  }

  /** Waits for the exchange to end and returns its status. */
  int awaitStatus() throws InterruptedException {
    if (!ended.await(5, TimeUnit.SECONDS)) {
      throw new AssertionError("the exchange did not end within 5 s");
    }
    return status;
  }

  String header(String name) {
    return headers.first(name).orElse(null);
  }

  String body() {
    return answer.toString(StandardCharsets.UTF_8);
  }

  @Override
  public String method() {
    return "POST";
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
    return requestHeaders;
  }

  @Override
  public long requestContentLength() {
    return body.length;
  }

  @Override
  public InputStream requestBody() {
    return new ByteArrayInputStream(body);
  }

  @Override
  public void startResponse(int status, Headers headers) {
    this.status = status;
    this.headers = headers;
    this.started = true;
  }

  @Override
  public boolean isResponseStarted() {
    return started;
  }

  @Override
  public OutputStream responseBody() {
    return answer;
  }

  @Override
  public void onClientGone(Runnable onGone) {}

  @Override
  public void complete() {
    ended.countDown();
  }

  @Override
  public void abort() {
    ended.countDown();
  }
}
