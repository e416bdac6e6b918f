package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request body read without blocking ({@link ProxyExchange#nonBlockingInput()}), its bytes made
 * to arrive by the test: nothing goes upstream before the body is whole, the limit and the declared
 * length hold as bytes arrive, and a client or a proxy that goes meanwhile settles the exchange.
 */
class NonBlockingUploadTest {
  private static final String TOKEN = "lp_sk_test";
  private static final String BODY = "{\"model\":\"claude-x\",\"max_tokens\":8}";

  private final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<UpstreamRequest> forwarded = new LinkedBlockingQueue<>();
  private LlmProxy proxy;

  @AfterEach
  void close() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private void proxy(long maxBodyBytes) {
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings("http://upstream.invalid"))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore(
                SharedCredentialStore.empty().withApiKey(ProviderId.ANTHROPIC, "sk-ant-k"))
            .upstreamClient(this::answer)
            .nonBlockingRelay(true)
            .maxRequestBodyBytes(maxBodyBytes)
            .shutdownDrain(Duration.ZERO)
            .addListener(events::add)
            .build();
  }

  private UpstreamCall answer(UpstreamRequest request) {
    forwarded.add(request);
    return new JsonAnswer();
  }

  /** Starts an exchange whose body of {@code declaredLength} (-1: chunked) arrives as told. */
  private Upload upload(long declaredLength) {
    Headers headers =
        declaredLength < 0
            ? Headers.of(
                "x-api-key", TOKEN,
                "content-type", "application/json",
                "transfer-encoding", "chunked")
            : Headers.of("x-api-key", TOKEN, "content-type", "application/json");
    FakeExchange exchange =
        new FakeExchange(
            "POST",
            "/anthropic/v1/messages",
            headers,
            new InputStream() {
              @Override
              public int read() {
                throw new AssertionError("the body was read blocking");
              }
            },
            declaredLength);
    ScriptedInput input = new ScriptedInput();
    exchange.nonBlockingInput = input;
    proxy.handle(exchange);
    return new Upload(exchange, input);
  }

  private record Upload(FakeExchange exchange, ScriptedInput input) {}

  private ProxyEvent event() throws InterruptedException {
    ProxyEvent event = events.poll(5, TimeUnit.SECONDS);
    assertNotNull(event, "no event");
    return event;
  }

  @Test
  void aBodyArrivingInPiecesGoesUpstreamWholeOnceItHasEnded() throws Exception {
    proxy(1024);
    Upload upload = upload(-1);
    assertTrue(upload.input().started(), "the body was not read without blocking");
    upload.input().arrive(BODY.substring(0, 10));
    upload.input().arrive(BODY.substring(10));
    assertNull(forwarded.poll(), "forwarded before the body ended");

    upload.input().end();
    UpstreamRequest request = forwarded.poll(5, TimeUnit.SECONDS);
    assertNotNull(request, "never forwarded");
    assertEquals(BODY, new String(request.body(), StandardCharsets.UTF_8));
    upload.exchange().await();
    assertEquals(200, upload.exchange().status);
    assertEquals(JsonAnswer.BODY, upload.exchange().body());
    ProxyEvent event = event();
    assertEquals(Outcome.OK, event.outcome());
    assertEquals("claude-x", event.model().orElseThrow());
  }

  @Test
  void aBodyOfDeclaredLengthGoesUpstreamOnceItsLastByteArrives() throws Exception {
    proxy(1024);
    Upload upload = upload(BODY.length());
    upload.input().arrive(BODY.substring(0, 5));
    assertNull(forwarded.poll(), "forwarded before the body was whole");
    upload.input().arrive(BODY.substring(5)); // no end of stream needed: the length says it all
    UpstreamRequest request = forwarded.poll(5, TimeUnit.SECONDS);
    assertNotNull(request, "never forwarded");
    assertEquals(BODY, new String(request.body(), StandardCharsets.UTF_8));
    assertEquals(Outcome.OK, event().outcome());
  }

  @Test
  void aBodyIsRefusedAsSoonAsItsBytesPassTheLimit() throws Exception {
    proxy(50);
    Upload upload = upload(-1);
    upload.input().arrive("x".repeat(40));
    upload.input().arrive("x".repeat(40)); // 80 > 50: refused now, not at the end
    upload.exchange().await();
    assertEquals(413, upload.exchange().status);
    assertTrue(upload.exchange().body().contains("limit"), upload.exchange().body());
    assertEquals(413, event().status());
    assertNull(forwarded.poll(), "a body over the limit went upstream");
  }

  @Test
  void aBodyEndingShortOfItsDeclaredLengthIsRefused() throws Exception {
    proxy(1024);
    Upload upload = upload(100);
    upload.input().arrive("{\"model\":");
    upload.input().end();
    upload.exchange().await();
    assertEquals(400, upload.exchange().status);
    assertEquals(400, event().status());
    assertNull(forwarded.poll());
  }

  @Test
  void aClientFailingMidUploadIsSettledAsCancelled() throws Exception {
    proxy(1024);
    Upload upload = upload(-1);
    upload.input().arrive("{\"model\":");
    upload.input().fail(new IOException("connection reset"));
    assertEquals(Outcome.CLIENT_CANCELLED, event().outcome());
    assertNull(forwarded.poll());
  }

  @Test
  void closingTheProxySettlesAnUploadStillArriving() throws Exception {
    proxy(1024);
    Upload upload = upload(-1);
    upload.input().arrive("{\"model\":");
    proxy.close(); // the upload holds no thread: only its cancel can end it
    ProxyEvent event = events.poll();
    assertNotNull(event, "the proxy closed with the upload unsettled");
    assertEquals(Outcome.CLIENT_CANCELLED, event.outcome());
    assertNull(forwarded.poll());
    assertNull(events.poll(), "more than one event for one exchange");
  }

  /** Bytes the test makes arrive; runs the proxy's callback as a container would. */
  static final class ScriptedInput implements ProxyExchange.NonBlockingInput {
    private final ArrayDeque<byte[]> arrived = new ArrayDeque<>();
    private boolean ended;
    private IOException failure;
    private volatile Runnable onReadable;

    boolean started() {
      return onReadable != null;
    }

    void arrive(String bytes) {
      synchronized (this) {
        arrived.add(bytes.getBytes(StandardCharsets.UTF_8));
      }
      onReadable.run();
    }

    void end() {
      synchronized (this) {
        ended = true;
      }
      onReadable.run();
    }

    void fail(IOException e) {
      synchronized (this) {
        failure = e;
      }
      onReadable.run();
    }

    @Override
    public void start(Runnable onReadable) {
      this.onReadable = onReadable;
    }

    @Override
    public synchronized boolean isReady() {
      return !arrived.isEmpty() || ended || failure != null;
    }

    @Override
    public synchronized int read(byte[] bytes, int offset, int length) throws IOException {
      if (failure != null) {
        throw failure;
      }
      byte[] next = arrived.peek();
      if (next == null) {
        if (ended) {
          return -1;
        }
        throw new AssertionError("read when not ready");
      }
      int n = Math.min(length, next.length);
      System.arraycopy(next, 0, bytes, offset, n);
      arrived.poll();
      if (n < next.length) {
        arrived.addFirst(java.util.Arrays.copyOfRange(next, n, next.length));
      }
      return n;
    }
  }

  /** An upstream answering at once with a small JSON message, read blocking. */
  private static final class JsonAnswer implements UpstreamCall, UpstreamResponse {
    static final String BODY = "{\"type\":\"message\"}";

    @Override
    public UpstreamResponse execute() {
      return this;
    }

    @Override
    public void cancel() {}

    @Override
    public boolean requestSent() {
      return true;
    }

    @Override
    public boolean isCanceled() {
      return false;
    }

    @Override
    public int status() {
      return 200;
    }

    @Override
    public Headers headers() {
      return Headers.of("content-type", "application/json");
    }

    @Override
    public InputStream body() {
      return new ByteArrayInputStream(BODY.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {}
  }
}
