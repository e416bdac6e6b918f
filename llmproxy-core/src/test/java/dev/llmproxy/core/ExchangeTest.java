package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's failure paths (every one answers, settles and publishes exactly one event), and
 * how it hands a response to the container.
 */
class ExchangeTest {
  private static final String TOKEN = "lp_sk_test";
  private static final String KEY = "sk-ant-upstream";

  private final MockWebServer upstream = new MockWebServer();
  private final RecordingLedger ledger = new RecordingLedger();
  private final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
  private LlmProxy proxy;

  @BeforeEach
  void start() throws IOException {
    upstream.start();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    upstream.close();
  }

  private LlmProxy proxy(String baseUrl, CredentialStore credentials) {
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings(baseUrl))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore(credentials)
            .budgetLedger(ledger)
            .addListener(events::add)
            .build();
    return proxy;
  }

  /** A builder for the mock upstream and the shared key, with no token resolver yet. */
  private LlmProxy.Builder upstreamBuilder() {
    return LlmProxy.builder()
        .anthropic(new AnthropicSettings(upstream.url("/").toString()))
        .credentialStore(
            SharedCredentialStore.empty().withApiKey(dev.llmproxy.api.ProviderId.ANTHROPIC, KEY));
  }

  private LlmProxy proxy() {
    return proxy(
        upstream.url("/").toString(),
        SharedCredentialStore.empty().withApiKey(dev.llmproxy.api.ProviderId.ANTHROPIC, KEY));
  }

  private ProxyEvent event() throws InterruptedException {
    ProxyEvent event = events.poll(10, TimeUnit.SECONDS);
    assertTrue(event != null, "no event");
    return event;
  }

  @Test
  void closingTheProxyWithoutADrainCancelsAStreamWaitingOnTheUpstream() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .bodyDelay(30, TimeUnit.SECONDS) // the exchange's thread sits in a socket read
            .body("event: a\ndata: 1\n\n")
            .build());
    proxy =
        upstreamBuilder()
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .budgetLedger(ledger)
            .addListener(events::add)
            .shutdownDrain(Duration.ZERO)
            .build();
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(exchange);
    exchange.awaitStart();
    proxy.close();
    exchange.await();
    assertTrue(exchange.aborted, "a stream stopped by close() must not end cleanly");
    ProxyEvent stopped = event();
    assertEquals(Outcome.UPSTREAM_ERROR, stopped.outcome());
    assertTrue(stopped.costEstimated(), "no final usage: the cost booked is an estimate");
    assertEquals(1, ledger.committed.get(), "sent upstream, so it counts");

    FakeExchange late = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(late);
    late.await();
    assertEquals(529, late.status, "a closed proxy takes no more exchanges");
  }

  @Test
  void closingTheProxyLetsAStreamInFlightFinishAndRefusesNewExchanges() throws Exception {
    String start =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
            + "{\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n";
    String end =
        "event: message_delta\ndata: {\"type\":\"message_delta\","
            + "\"usage\":{\"output_tokens\":3}}\n\n";
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .body(start + end)
            .throttleBody(start.length(), 1, TimeUnit.SECONDS) // the end comes a second later
            .build());
    FakeExchange stream = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy().handle(stream);
    stream.awaitStart();
    Thread closing = new Thread(proxy::close, "closing");
    closing.start();
    FakeExchange late;
    do { // a bad token: 401 until close() has begun, then overloaded before it is even read
      late = FakeExchange.post("/anthropic/v1/messages", "lp_sk_unknown", "{}");
      proxy.handle(late);
      late.await();
    } while (late.status == 401);
    assertEquals(529, late.status);
    closing.join(TimeUnit.SECONDS.toMillis(20));
    assertFalse(closing.isAlive(), "close() returns once the stream has finished");
    assertEquals(start + end, stream.body(), "the stream in flight was not cut");
    assertFalse(stream.aborted);
    ProxyEvent finished = event();
    while (finished.status() == 401 || finished.status() == 529) {
      finished = event();
    }
    assertEquals(Outcome.OK, finished.outcome());
    assertEquals(3, finished.usage().outputTokens(), "settled with the reported usage");
    assertFalse(finished.costEstimated());
  }

  @Test
  void exchangesRunOnASuppliedExecutorWhichCloseLeavesRunning() throws Exception {
    ExecutorService executor =
        Executors.newCachedThreadPool(runnable -> new Thread(runnable, "host-pool"));
    BlockingQueue<String> threads = new LinkedBlockingQueue<>();
    try {
      proxy =
          upstreamBuilder()
              .tokenResolver(
                  presented -> {
                    threads.add(Thread.currentThread().getName());
                    return dev.llmproxy.api.TokenResolution.authenticated(
                        Principal.user("alice", "pro"));
                  })
              .executor(executor)
              .build();
      upstream.enqueue(new MockResponse.Builder().body("{}").build());
      FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
      proxy.handle(exchange);
      exchange.await();
      assertEquals(200, exchange.status);
      assertEquals("host-pool", threads.poll(10, TimeUnit.SECONDS));
      proxy.close();
      assertFalse(executor.isShutdown(), "the host's executor is the host's to shut down");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void anExecutorThatFailsToTakeAnExchangeGetsItAnsweredAndItsPermitBack() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      proxy =
          upstreamBuilder()
              .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
              .maxConcurrentExchanges(1)
              .executor(
                  task -> {
                    if (calls.incrementAndGet() == 1) {
                      throw new IllegalStateException("host pool is broken");
                    }
                    pool.execute(task);
                  })
              .build();
      FakeExchange refused = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
      proxy.handle(refused);
      refused.await();
      assertEquals(529, refused.status);

      upstream.enqueue(new MockResponse.Builder().body("{}").build());
      FakeExchange next = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
      proxy.handle(next);
      next.await();
      assertEquals(200, next.status, "the failed hand-over gave its permit back");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void connectFailureIsRefunded() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    proxy(
        "http://127.0.0.1:" + closed,
        SharedCredentialStore.empty().withApiKey(dev.llmproxy.api.ProviderId.ANTHROPIC, KEY));
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(exchange);
    exchange.await();
    assertEquals(502, exchange.status);
    assertEquals(Outcome.UPSTREAM_ERROR, event().outcome()); // published after settling
    assertEquals(1, ledger.refunded.get());
    assertEquals(0, ledger.committed.get());
  }

  @Test
  void aRequestThatReachedTheUpstreamCountsEvenWithoutAResponse() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy().handle(exchange);
    exchange.await();
    assertEquals(502, exchange.status);
    assertEquals(1, upstream.getRequestCount());
    event(); // published after settling
    assertEquals(1, ledger.committed.get(), "sent upstream, so it counts");
    assertEquals(0, ledger.refunded.get());
  }

  @Test
  void anOpenEndedAnswerIsFlushedAtOnceAndOneOfKnownLengthGoesOutWithItsHeadersInOneWrite()
      throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .body("event: a\ndata: 1\n\n")
            .build());
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body("{\"type\":\"message\"}")
            .build());
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/x-ndjson")
            .chunkedBody("{\"n\":1}\n", 64)
            .build());
    proxy();
    FakeExchange stream = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(stream);
    FakeExchange answer = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    stream.await();
    proxy.handle(answer);
    answer.await();
    assertEquals("event: a\ndata: 1\n\n", stream.body());
    assertEquals(
        1, stream.flushesBeforeBody, "the client must see a stream open before its events");
    assertEquals("{\"type\":\"message\"}", answer.body());
    assertEquals(
        0, answer.flushesBeforeBody, "headers flushed alone cost the client a second read");
    FakeExchange open = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(open);
    open.await();
    assertEquals("{\"n\":1}\n", open.body());
    assertEquals(1, open.flushesBeforeBody, "an answer of unknown length may be a stream");
  }

  @Test
  void anEventStreamIsRecognisedWhateverTheCaseOfItsMediaType() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "Text/Event-Stream; charset=utf-8")
            .body(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
                    + "{\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n"
                    + "event: message_delta\ndata: {\"type\":\"message_delta\","
                    + "\"usage\":{\"output_tokens\":3}}\n\n")
            .build());
    FakeExchange stream = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy().handle(stream);
    stream.await();
    assertEquals("no", stream.responseHeaders.first("x-accel-buffering").orElse(null));
    assertEquals(
        "no-cache, no-transform", stream.responseHeaders.first("cache-control").orElse(null));
    assertEquals(1, stream.flushesBeforeBody, "a stream opens before its first event");
    assertEquals(7, event().usage().inputTokens(), "and its usage is metered");
  }

  @Test
  void upstreamBreakingOffMidBodyAbortsTheClientResponse() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .body("event: a\ndata: 1\n\n".repeat(2000))
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy().handle(exchange);
    exchange.await();
    assertTrue(exchange.aborted, "a broken upstream body must not end cleanly");
    assertEquals(Outcome.UPSTREAM_ERROR, event().outcome());
  }

  @Test
  void clientGoingAwayDuringTheUploadIsACancellationNotAnError() throws Exception {
    InputStream brokenUpload =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("connection reset by peer");
          }
        };
    FakeExchange exchange =
        new FakeExchange(
            "POST",
            "/anthropic/v1/messages",
            Headers.of("x-api-key", TOKEN, "content-type", "application/json"),
            brokenUpload,
            100);
    proxy().handle(exchange);
    exchange.await();
    assertEquals(Outcome.CLIENT_CANCELLED, event().outcome());
    assertEquals(0, upstream.getRequestCount());
    assertEquals(0, ledger.reserved.get());
  }

  @Test
  void anErrorInTheResolverStillAnswers500AndPublishesAnEvent() throws Exception {
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings(upstream.url("/").toString()))
            .tokenResolver(
                c -> {
                  throw new StackOverflowError("deep");
                })
            .credentialStore((p, id) -> Optional.empty())
            .addListener(events::add)
            .build();
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(exchange);
    exchange.await();
    assertEquals(500, exchange.status);
    assertTrue(exchange.body().contains("\"api_error\""), exchange.body());
    assertEquals(Outcome.UPSTREAM_ERROR, event().outcome());
  }

  @Test
  void aCredentialWithControlCharactersIsNeverEchoed() throws Exception {
    String leaky = "sk-ant-secret\r\nx-evil: 1";
    proxy(
        upstream.url("/").toString(),
        (p, id) -> Optional.of(new UpstreamCredential.ApiKey(Secret.of(leaky), "user_key")));
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(exchange);
    exchange.await();
    assertEquals(500, exchange.status);
    assertFalse(exchange.body().contains("sk-ant-secret"), exchange.body());
    assertEquals(0, upstream.getRequestCount());
    event(); // published after settling
    assertEquals(1, ledger.refunded.get());
  }

  @Test
  void nonAsciiClientHeaderValuesAreForwarded() throws Exception {
    upstream.enqueue(new MockResponse.Builder().body("{}").build());
    FakeExchange exchange =
        new FakeExchange(
            "POST",
            "/anthropic/v1/messages",
            Headers.of("x-api-key", TOKEN, "user-agent", "café-client/1.0"),
            "{}".getBytes());
    proxy().handle(exchange);
    exchange.await();
    assertEquals(200, exchange.status);
    assertEquals("café-client/1.0", upstream.takeRequest().getHeaders().get("user-agent"));
  }

  /** Found by HostileInputTest: the peek read the first, an upstream may read the second. */
  @Test
  void twoContentTypesAreABadRequestAndNothingIsForwarded() throws Exception {
    upstream.enqueue(new MockResponse.Builder().body("{}").build());
    FakeExchange exchange =
        new FakeExchange(
            "POST",
            "/anthropic/v1/messages",
            Headers.of(
                "x-api-key",
                TOKEN,
                "content-type",
                "text/plain",
                "content-type",
                "application/json"),
            "{\"model\":\"claude-opus-4-1\"}".getBytes());
    proxy().handle(exchange);
    exchange.await();
    assertEquals(400, exchange.status);
    assertTrue(exchange.body().contains("Content-Type"), exchange.body());
    assertEquals(0, upstream.getRequestCount());
    assertEquals(Outcome.BAD_REQUEST, event().outcome());
  }

  @Test
  void aFailingLedgerFailsClosedWith503AndForwardsNothing() throws Exception {
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings(upstream.url("/").toString()))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore(
                SharedCredentialStore.empty()
                    .withApiKey(dev.llmproxy.api.ProviderId.ANTHROPIC, KEY))
            .budgetLedger(
                new RecordingLedger() {
                  @Override
                  public dev.llmproxy.api.Decision reserve(
                      dev.llmproxy.api.ReservationRequest request) {
                    throw new IllegalStateException("database down");
                  }
                })
            .addListener(events::add)
            .build();
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(exchange);
    exchange.await();
    assertEquals(503, exchange.status);
    assertTrue(exchange.body().contains("\"api_error\""), exchange.body());
    assertEquals(0, upstream.getRequestCount());
    assertEquals(Outcome.UPSTREAM_ERROR, event().outcome());
  }

  @Test
  void aSpendCappedTokenMustNameAModel() throws Exception {
    Principal capped =
        Principal.user("alice", "pro")
            .withLimits(
                new dev.llmproxy.api.Limits(
                    java.util.OptionalLong.empty(),
                    java.util.OptionalLong.of(1_000_000_000),
                    java.util.List.of(),
                    java.util.Set.of()));
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings(upstream.url("/").toString()))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, capped)))
            .credentialStore(
                SharedCredentialStore.empty()
                    .withApiKey(dev.llmproxy.api.ProviderId.ANTHROPIC, KEY))
            .addListener(events::add)
            .build();
    FakeExchange batch =
        FakeExchange.post("/anthropic/v1/messages/batches", TOKEN, "{\"requests\":[]}");
    proxy.handle(batch);
    batch.await();
    assertEquals(403, batch.status);
    assertEquals(Outcome.FORBIDDEN, event().outcome());
    assertEquals(0, upstream.getRequestCount());

    // The same limits cannot be dodged by not declaring the body JSON: the upstream may parse it
    // anyway, model and all.
    FakeExchange undeclared =
        new FakeExchange(
            "POST",
            "/anthropic/v1/messages",
            dev.llmproxy.api.Headers.of("x-api-key", TOKEN, "content-type", "text/plain"),
            "{\"model\":\"claude-opus-4-1\",\"max_tokens\":64000}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    proxy.handle(undeclared);
    undeclared.await();
    assertEquals(403, undeclared.status);
    assertTrue(undeclared.body().contains("must be JSON"), undeclared.body());
    assertEquals(0, upstream.getRequestCount());
  }

  @Test
  void aThrowingListenerDoesNotBreakTheExchange() throws Exception {
    upstream.enqueue(new MockResponse.Builder().body("{\"ok\":1}").build());
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings(upstream.url("/").toString()))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore(
                SharedCredentialStore.empty()
                    .withApiKey(dev.llmproxy.api.ProviderId.ANTHROPIC, KEY))
            .addListener(
                e -> {
                  throw new IllegalStateException("listener bug");
                })
            .addListener(events::add)
            .build();
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(exchange);
    exchange.await();
    assertEquals(200, exchange.status);
    assertEquals("{\"ok\":1}", exchange.body());
    assertEquals(Outcome.OK, event().outcome());
  }
}
