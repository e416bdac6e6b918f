package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The non-blocking relay ({@code nonBlockingRelay}) in the engine, with a scripted upstream body
 * and a client output whose readiness the test decides: backpressure, the concurrency limit, how a
 * stream ends, and one settled event whichever way it ends.
 */
class NonBlockingRelayTest {
  private static final String TOKEN = "lp_sk_test";
  private static final String EVENT = "event: ping\ndata: {\"type\":\"ping\"}\n\n";

  private final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<ScriptedCall> calls = new LinkedBlockingQueue<>();
  private LlmProxy proxy;

  @AfterEach
  void close() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private LlmProxy proxy(int maxConcurrent) {
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings("http://upstream.invalid"))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore(
                SharedCredentialStore.empty().withApiKey(ProviderId.ANTHROPIC, "sk-ant-k"))
            .upstreamClient(this::newCall)
            .nonBlockingRelay(true)
            .maxConcurrentExchanges(maxConcurrent)
            .shutdownDrain(Duration.ZERO)
            .addListener(events::add)
            .build();
    return proxy;
  }

  private UpstreamCall newCall(UpstreamRequest request) {
    ScriptedCall call = new ScriptedCall();
    calls.add(call);
    return call;
  }

  /** Starts a streaming exchange and returns once its response has started. */
  private Stream open() throws Exception {
    FakeExchange exchange =
        FakeExchange.post(
            "/anthropic/v1/messages", TOKEN, "{\"model\":\"claude-x\",\"stream\":true}");
    ControlledOutput out = new ControlledOutput(exchange.responseBody);
    exchange.nonBlockingOutput = out;
    proxy.handle(exchange);
    exchange.awaitStart();
    ScriptedCall call = calls.poll(5, TimeUnit.SECONDS);
    assertTrue(out.started.await(5, TimeUnit.SECONDS), "the relay never switched to non-blocking");
    return new Stream(exchange, out, call);
  }

  record Stream(FakeExchange exchange, ControlledOutput out, ScriptedCall call) {}

  private ProxyEvent event() throws InterruptedException {
    ProxyEvent event = events.poll(5, TimeUnit.SECONDS);
    assertTrue(event != null, "no event");
    return event;
  }

  @Test
  void aSlowClientMakesTheProxyReadNoMoreThanOneChunkAhead() throws Exception {
    proxy(8);
    Stream s = open();
    s.out().acceptOneWriteAtATime();
    for (int i = 0; i < 50; i++) {
      s.call().body.arrive(EVENT);
    }
    // The client took one write and is not ready again: the upstream's other events stay there.
    s.out().awaitWrites(1);
    assertEquals(EVENT.length(), s.call().body.bytesRead(), "read ahead of a client not ready");

    s.out().makeWritable(); // the client takes one more
    s.out().awaitWrites(2);
    assertEquals(2 * EVENT.length(), s.call().body.bytesRead());

    s.out().acceptEverything();
    s.call().body.end();
    s.exchange().await();
    assertEquals(EVENT.repeat(50), s.exchange().body());
    assertFalse(s.exchange().aborted);
    assertEquals(Outcome.OK, event().outcome());
    assertNull(events.poll(), "more than one event for one exchange");
  }

  @Test
  void aBodyThatCanOnlyBlockIsCopiedOffTheUpstreamClientsThread() throws Exception {
    // An upstream client like Jetty's: the headers arrive on its I/O thread, and reading the body
    // needs that same thread. Copied there, the copy would wait for itself forever.
    ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "upstream-io"));
    try {
      proxy =
          LlmProxy.builder()
              .anthropic(new AnthropicSettings("http://upstream.invalid"))
              .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
              .credentialStore(
                  SharedCredentialStore.empty().withApiKey(ProviderId.ANTHROPIC, "sk-ant-k"))
              .upstreamClient(request -> new IoBoundCall(io))
              .nonBlockingRelay(true)
              .shutdownDrain(Duration.ZERO)
              .addListener(events::add)
              .build();
      FakeExchange exchange =
          FakeExchange.post("/anthropic/v1/messages", TOKEN, "{\"model\":\"claude-x\"}");
      proxy.handle(exchange);
      exchange.await();
      assertEquals(IoBoundCall.BODY, exchange.body());
      assertEquals(Outcome.OK, event().outcome());
    } finally {
      io.shutdownNow();
    }
  }

  /** A call whose headers and body bytes come from one I/O thread. */
  private static final class IoBoundCall implements UpstreamCall, UpstreamResponse {
    static final String BODY = "{\"type\":\"message\"}";
    private final ExecutorService io;
    private final InputStream bytes =
        new java.io.ByteArrayInputStream(BODY.getBytes(StandardCharsets.UTF_8));

    IoBoundCall(ExecutorService io) {
      this.io = io;
    }

    @Override
    public UpstreamResponse execute() {
      throw new AssertionError("the non-blocking relay waited for the headers on a thread");
    }

    @Override
    public java.util.concurrent.CompletionStage<UpstreamResponse> executeAsync() {
      return CompletableFuture.supplyAsync(() -> this, io);
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
      return new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
          try { // the bytes are only ever read on the I/O thread
            return io.submit(() -> bytes.read(buffer, offset, length)).get(10, TimeUnit.SECONDS);
          } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IOException("the I/O thread never read: " + e, e);
          }
        }
      };
    }

    @Override
    public void close() {}
  }

  @Test
  void anOpenStreamHoldsItsConcurrencyPermitUntilItSettles() throws Exception {
    proxy(1);
    Stream first = open();
    first.call().body.arrive(EVENT);
    first.out().awaitWrites(1);
    awaitNoThreadRunsAnExchange(); // relaying, with no thread of its own

    FakeExchange second = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(second);
    second.await();
    assertEquals(529, second.status, "a second exchange got in beside an open stream");
    assertEquals(529, event().status());

    first.call().body.end();
    first.exchange().await();
    assertEquals(Outcome.OK, event().outcome());
    Stream third = open(); // the permit is free again
    third.call().body.end();
    third.exchange().await();
    assertEquals(Outcome.OK, event().outcome());
  }

  @Test
  void anUpstreamBreakingOffEndsTheClientsResponseAbnormally() throws Exception {
    proxy(8);
    Stream s = open();
    s.call().body.arrive(EVENT);
    s.out().awaitWrites(1);
    s.call().body.fail(new IOException("connection reset"));
    s.exchange().await();
    assertTrue(s.exchange().aborted, "a broken stream ended cleanly");
    assertEquals(Outcome.UPSTREAM_ERROR, event().outcome());
    assertNull(events.poll(), "more than one event for one exchange");
  }

  @Test
  void aClientLeavingWhileTheRelayWaitsForItCancelsTheUpstream() throws Exception {
    proxy(8);
    Stream s = open();
    s.out().acceptOneWriteAtATime();
    s.call().body.arrive(EVENT);
    s.call().body.arrive(EVENT);
    s.out().awaitWrites(1); // waiting for the client to be writable, and for nothing else

    s.exchange().onClientGone.run();

    s.exchange().await();
    assertTrue(s.call().cancelled, "the upstream call was not cancelled");
    assertEquals(Outcome.CLIENT_CANCELLED, event().outcome());
    assertNull(events.poll(), "more than one event for one exchange");
  }

  @Test
  void closingTheProxyStopsAndSettlesAnOpenStream() throws Exception {
    proxy(8);
    Stream s = open();
    s.call().body.arrive(EVENT);
    s.out().awaitWrites(1);
    awaitNoThreadRunsAnExchange(); // nothing to interrupt: only the cancel can reach the stream

    proxy.close(); // a zero drain: cancel at once

    assertTrue(s.call().cancelled, "closing left the upstream call open");
    assertTrue(s.exchange().aborted, "a stopped stream must not look complete");
    assertEquals(Outcome.UPSTREAM_ERROR, event().outcome());
  }

  /** Waits until no thread is inside an exchange's run: the relay left its thread. */
  private static void awaitNoThreadRunsAnExchange() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (threadsRunningAnExchange() > 0) {
      assertTrue(System.nanoTime() < deadline, "a thread still runs the open stream");
      Thread.yield();
    }
  }

  private static long threadsRunningAnExchange() {
    return Thread.getAllStackTraces().values().stream()
        .filter(
            stack ->
                java.util.Arrays.stream(stack)
                    .anyMatch(
                        frame ->
                            frame
                                .getClassName()
                                .equals("dev.llmproxy.core.internal.exchange.Exchange")))
        .count();
  }

  /** An upstream call answering 200 at once with a {@link ScriptedBody}. */
  static final class ScriptedCall implements UpstreamCall, UpstreamResponse {
    final ScriptedBody body = new ScriptedBody();
    volatile boolean cancelled;

    @Override
    public UpstreamResponse execute() {
      return this;
    }

    @Override
    public void cancel() {
      cancelled = true;
      body.fail(new IOException("cancelled"));
    }

    @Override
    public boolean requestSent() {
      return true;
    }

    @Override
    public boolean isCanceled() {
      return cancelled;
    }

    @Override
    public int status() {
      return 200;
    }

    @Override
    public Headers headers() {
      return Headers.of("content-type", "text/event-stream");
    }

    @Override
    public InputStream body() {
      throw new AssertionError("the non-blocking relay read the blocking body");
    }

    @Override
    public Optional<NonBlockingBody> nonBlockingBody() {
      return Optional.of(body);
    }

    @Override
    public void close() {}
  }

  /** Chunks the test makes arrive; counts what the proxy read. */
  static final class ScriptedBody implements NonBlockingBody {
    private final ArrayDeque<byte[]> arrived = new ArrayDeque<>();
    private boolean ended;
    private IOException failure;
    private Runnable demand;
    private int read;

    void arrive(String chunk) {
      Runnable callback;
      synchronized (this) {
        arrived.add(chunk.getBytes(StandardCharsets.UTF_8));
        callback = takeDemand();
      }
      callback.run();
    }

    void end() {
      Runnable callback;
      synchronized (this) {
        ended = true;
        callback = takeDemand();
      }
      callback.run();
    }

    void fail(IOException cause) {
      Runnable callback;
      synchronized (this) {
        failure = cause;
        callback = takeDemand();
      }
      callback.run();
    }

    synchronized int bytesRead() {
      return read;
    }

    private Runnable takeDemand() {
      Runnable callback = demand == null ? () -> {} : demand;
      demand = null;
      return callback;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
      if (failure != null) {
        throw failure;
      }
      byte[] chunk = arrived.poll();
      if (chunk == null) {
        return ended ? -1 : 0;
      }
      if (chunk.length > length) {
        throw new AssertionError("test chunks fit the relay's buffer");
      }
      System.arraycopy(chunk, 0, buffer, offset, chunk.length);
      read += chunk.length;
      return chunk.length;
    }

    @Override
    public void demand(Runnable onReadable) {
      boolean now;
      synchronized (this) {
        now = failure != null || ended || !arrived.isEmpty();
        if (!now) {
          demand = onReadable;
        }
      }
      if (now) {
        onReadable.run();
      }
    }
  }

  /** A client output that is ready always, or after each write only when the test says so. */
  static final class ControlledOutput implements ProxyExchange.NonBlockingOutput {
    private final ByteArrayOutputStream sink;
    final CountDownLatch started = new CountDownLatch(1);
    private final BlockingQueue<Integer> writes = new LinkedBlockingQueue<>();
    private volatile Runnable onWritable;
    private boolean oneAtATime; // guarded by this
    private boolean ready = true; // guarded by this
    private int written;

    ControlledOutput(ByteArrayOutputStream sink) {
      this.sink = sink;
    }

    @Override
    public void start(Runnable onWritable) {
      this.onWritable = onWritable;
      started.countDown();
      onWritable.run();
    }

    @Override
    public synchronized boolean isReady() {
      return ready;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      synchronized (this) {
        if (!ready) {
          throw new AssertionError("written while not ready");
        }
        sink.write(bytes, offset, length);
        ready = !oneAtATime;
      }
      writes.add(++written);
    }

    @Override
    public synchronized void flush() {
      if (!ready) {
        throw new AssertionError("flushed while not ready");
      }
    }

    synchronized void acceptOneWriteAtATime() {
      oneAtATime = true;
    }

    void acceptEverything() {
      synchronized (this) {
        oneAtATime = false;
      }
      makeWritable();
    }

    void makeWritable() {
      synchronized (this) {
        ready = true;
      }
      onWritable.run();
    }

    void awaitWrites(int count) throws InterruptedException {
      while (true) {
        Integer n = writes.poll(5, TimeUnit.SECONDS);
        assertTrue(n != null, "the relay wrote fewer than " + count + " chunks");
        if (n >= count) {
          return;
        }
      }
    }
  }
}
