package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.pools.PoolMember;
import dev.llmproxy.core.pools.PoolStrategy;
import dev.llmproxy.core.pools.UpstreamPool;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import dev.llmproxy.testing.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failover across pool members with real sockets: what moves a request to the next member, what
 * never does, and that the exchange is answered, counted and settled once whatever the tries did.
 */
class PoolFailoverTest {
  private static final String TOKEN = "lp_sk_test";
  private static final String OK_BODY =
      "{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude-haiku-4-5\","
          + "\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}";

  private final MockWebServer a = new MockWebServer();
  private final MockWebServer b = new MockWebServer();
  private final MockWebServer c = new MockWebServer();
  private final RecordingLedger ledger = new RecordingLedger();
  private final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final AtomicInteger openResponses = new AtomicInteger();
  private final java.util.List<OkHttpUpstreamClient> clients = new java.util.ArrayList<>();
  private LlmProxy proxy;

  @BeforeEach
  void start() throws IOException {
    a.start();
    b.start();
    c.start();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    clients.forEach(OkHttpUpstreamClient::close);
    a.close();
    b.close();
    c.close();
  }

  private static PoolMember member(String id, String baseUrl) {
    return PoolMember.apiKey(id, "sk-ant-key-of-" + id).withBaseUrl(baseUrl);
  }

  private static String url(MockWebServer server) {
    return server.url("/").toString();
  }

  private static String refusingUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/";
    }
  }

  private void proxy(UnaryOperator<UpstreamPool.Builder> pool) {
    proxy((principal, provider) -> Optional.empty(), pool);
  }

  private void proxy(CredentialStore store, UnaryOperator<UpstreamPool.Builder> pool) {
    OkHttpUpstreamClient okHttp = OkHttpUpstreamClient.builder().build();
    clients.add(okHttp);
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings(url(c)))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore(store)
            .budgetLedger(ledger)
            .clock(clock)
            .upstreamClient(new CountingClient(okHttp))
            .addListener(events::add)
            .addPool(pool.apply(UpstreamPool.builder(ProviderId.ANTHROPIC)).build())
            .build();
  }

  private FakeExchange send() throws InterruptedException {
    return send("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10}");
  }

  private FakeExchange send(String json) throws InterruptedException {
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, json);
    proxy.handle(exchange);
    return exchange.await();
  }

  private ProxyEvent event() throws InterruptedException {
    ProxyEvent event = events.poll(10, TimeUnit.SECONDS);
    assertTrue(event != null, "no event");
    return event;
  }

  private static MockResponse ok() {
    return new MockResponse.Builder()
        .setHeader("content-type", "application/json")
        .body(OK_BODY)
        .build();
  }

  private static MockResponse status(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("content-type", "application/json")
        .setHeader("anthropic-organization-id", "org-of-the-answer")
        .body(body)
        .build();
  }

  /** The exchange was counted, settled and answered once, and every upstream answer was closed. */
  private void settledOnce() {
    assertEquals(1, ledger.reserved.get(), "one hold, taken once before the tries");
    assertEquals(1, ledger.committed.get() + ledger.refunded.get(), "settled once");
    assertEquals(0, openResponses.get(), "every upstream answer was closed");
  }

  @Test
  void anUpstreamClientFailingInItsOwnWayIsA500AndLeavesNoMemberInFlight() throws Exception {
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings(url(c)))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore((principal, provider) -> Optional.empty())
            .budgetLedger(ledger)
            .clock(clock)
            .upstreamClient(
                request -> {
                  throw new IllegalStateException("a client bug, not an unreachable upstream");
                })
            .addListener(events::add)
            .addPool(
                UpstreamPool.builder(ProviderId.ANTHROPIC)
                    .strategy(PoolStrategy.FILL_FIRST)
                    .addMember(member("a", url(a)))
                    .addMember(member("b", url(b)))
                    .build())
            .build();

    FakeExchange exchange = send();

    assertEquals(500, exchange.status, "not a 502: nothing says the upstream is down");
    assertEquals(1, event().tries(), "a client's own failure is not failed over");
    for (dev.llmproxy.core.pools.MemberState member : proxy.poolMembers()) {
      assertEquals(0, member.inFlight(), member.member() + " still counted in flight");
      assertTrue(member.restingUntil().isEmpty(), member.member() + " penalised for a client bug");
    }
  }

  @Test
  void aRefusedConnectionMovesTheRequestToTheNextMember() throws Exception {
    String dead = refusingUrl();
    b.enqueue(ok());
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .addMember(member("dead", dead))
                .addMember(member("b", url(b))));

    FakeExchange exchange = send();

    assertEquals(200, exchange.status);
    assertEquals(OK_BODY, exchange.body());
    ProxyEvent event = event();
    assertEquals(Optional.of("b"), event.member());
    assertEquals(2, event.tries());
    assertEquals(15, event.usage().inputTokens() + event.usage().outputTokens());
    assertEquals("sk-ant-key-of-b", b.takeRequest().getHeaders().get("x-api-key"));
    assertEquals(1, ledger.committed.get(), "charged once, for the answer");
    settledOnce();
  }

  @Test
  void aMemberAnswering429RestsForItsRetryAfterAndIsThenUsedAgain() throws Exception {
    a.enqueue(
        new MockResponse.Builder()
            .code(429)
            .setHeader("retry-after", "30")
            .body("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}")
            .build());
    b.enqueue(ok());
    b.enqueue(ok());
    a.enqueue(ok());
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .addMember(member("a", url(a)))
                .addMember(member("b", url(b))));

    assertEquals(200, send().status);
    assertEquals(2, event().tries());
    clock.advance(Duration.ofSeconds(29));
    assertEquals(200, send().status);
    ProxyEvent resting = event();
    assertEquals(Optional.of("b"), resting.member(), "a still rests");
    assertEquals(1, resting.tries());
    assertEquals(1, a.getRequestCount());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, send().status);
    assertEquals(Optional.of("a"), event().member(), "a is back after its retry-after");
    assertEquals(2, a.getRequestCount());
    assertEquals(0, openResponses.get());
  }

  @ParameterizedTest
  @ValueSource(ints = {529, 500, 502, 503, 504})
  void aRetriedStatusMovesTheRequestToTheNextMember(int code) throws Exception {
    a.enqueue(status(code, "{\"type\":\"error\"}"));
    b.enqueue(ok());
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .addMember(member("a", url(a)))
                .addMember(member("b", url(b))));

    FakeExchange exchange = send();

    assertEquals(200, exchange.status);
    assertEquals(OK_BODY, exchange.body());
    ProxyEvent event = event();
    assertEquals(Optional.of("b"), event.member());
    assertEquals(2, event.tries());
    assertEquals(
        a.takeRequest().getBody().utf8(), b.takeRequest().getBody().utf8(), "the same body");
    settledOnce();
  }

  @Test
  void aStatusNotConfiguredForRetryIsAnsweredAsItIs() throws Exception {
    a.enqueue(status(500, "{\"type\":\"error\"}"));
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .retryOn(java.util.Set.of(429))
                .addMember(member("a", url(a)))
                .addMember(member("b", url(b))));

    assertEquals(500, send().status);
    assertEquals(1, event().tries());
    assertEquals(0, b.getRequestCount());
  }

  @Test
  void noRetryOnceTheFirstByteReachedTheClient() throws Exception {
    a.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .body("event: ping\ndata: {}\n\n".repeat(2000))
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());
    b.enqueue(ok());
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .addMember(member("a", url(a)))
                .addMember(member("b", url(b))));

    FakeExchange exchange = send();

    assertEquals(200, exchange.status);
    assertTrue(exchange.aborted, "a broken stream ends abnormally, never cleanly");
    ProxyEvent event = event();
    assertEquals(Outcome.UPSTREAM_ERROR, event.outcome());
    assertEquals(1, event.tries());
    assertEquals(0, b.getRequestCount(), "never retried after the first byte");
    settledOnce();
  }

  @Test
  void noTryStartsAfterTheDeadline() throws Exception {
    a.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            clock.advance(Duration.ofMillis(5_001)); // the answer takes longer than the deadline
            return status(503, "{\"slow\":true}");
          }
        });
    b.enqueue(ok());
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .deadline(Duration.ofSeconds(5))
                .addMember(member("a", url(a)))
                .addMember(member("b", url(b))));

    FakeExchange exchange = send();

    assertEquals(503, exchange.status, "the last answer, since no later try may start");
    assertEquals("{\"slow\":true}", exchange.body());
    assertEquals(1, event().tries());
    assertEquals(0, b.getRequestCount());
  }

  @Test
  void maxTriesBoundsTheMembersTried() throws Exception {
    a.enqueue(status(500, "{\"a\":1}"));
    b.enqueue(status(500, "{\"b\":1}"));
    c.enqueue(ok());
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .maxTries(2)
                .addMember(member("a", url(a)))
                .addMember(member("b", url(b)))
                .addMember(member("c", url(c))));

    FakeExchange exchange = send();

    assertEquals(500, exchange.status);
    assertEquals("{\"b\":1}", exchange.body());
    assertEquals(2, event().tries());
    assertEquals(0, c.getRequestCount());
    settledOnce();
  }

  @Test
  void whenEveryMemberFailsTheLastAnswerIsReturnedVerbatim() throws Exception {
    a.enqueue(status(503, "{\"from\":\"a\"}"));
    b.enqueue(status(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}"));
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .addMember(member("a", url(a)))
                .addMember(member("b", url(b))));

    FakeExchange exchange = send();

    assertEquals(529, exchange.status);
    assertEquals("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}", exchange.body());
    assertEquals(
        "org-of-the-answer",
        exchange.responseHeaders.first("anthropic-organization-id").orElse(null));
    ProxyEvent event = event();
    assertEquals(Optional.of("b"), event.member());
    assertEquals(2, event.tries());
    assertEquals(1, ledger.committed.get(), "it reached the upstream, so it counts, once");
    settledOnce();
  }

  @Test
  void anAnswerFollowedByAnUnreachableMemberIsStillReturnedVerbatim() throws Exception {
    String dead = refusingUrl();
    a.enqueue(status(529, "{\"from\":\"a\"}"));
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .addMember(member("a", url(a)))
                .addMember(member("dead", dead)));

    FakeExchange exchange = send();

    assertEquals(529, exchange.status);
    assertEquals("{\"from\":\"a\"}", exchange.body());
    assertEquals(2, event().tries());
    settledOnce();
  }

  @Test
  void whenNoMemberAnswersTheClientGets502AndNothingIsCharged() throws Exception {
    String dead1 = refusingUrl();
    String dead2 = refusingUrl();
    proxy(p -> p.addMember(member("x", dead1)).addMember(member("y", dead2)));

    FakeExchange exchange = send();

    assertEquals(502, exchange.status);
    assertTrue(exchange.body().contains("\"api_error\""), exchange.body());
    assertEquals(2, event().tries());
    assertEquals(1, ledger.refunded.get(), "nothing reached an upstream: refunded");
    settledOnce();
  }

  @Test
  void aCallersOwnKeyIsAPoolOfOneAndNeverFailsOver() throws Exception {
    c.enqueue(status(529, "{\"own\":true}"));
    CredentialStore own =
        (principal, provider) ->
            Optional.of(new UpstreamCredential.ApiKey(Secret.of("sk-ant-own"), "user_key"));
    proxy(own, p -> p.addMember(member("a", url(a))).addMember(member("b", url(b))));

    FakeExchange exchange = send();

    assertEquals(529, exchange.status);
    ProxyEvent event = event();
    assertEquals(Optional.empty(), event.member());
    assertEquals(1, event.tries());
    assertEquals("sk-ant-own", c.takeRequest().getHeaders().get("x-api-key"));
    assertEquals(0, a.getRequestCount() + b.getRequestCount());
  }

  @Test
  void aMemberWithoutACredentialIsSkippedAndNoneAtAllIs403() throws Exception {
    b.enqueue(ok());
    PoolMember empty = PoolMember.of("empty", (principal, provider) -> Optional.empty());
    proxy(p -> p.strategy(PoolStrategy.FILL_FIRST).addMember(empty).addMember(member("b", url(b))));
    assertEquals(200, send().status);
    assertEquals(1, event().tries(), "a member without a credential is not a try");
    proxy.close();

    proxy(p -> p.addMember(PoolMember.of("none", (principal, provider) -> Optional.empty())));
    assertEquals(403, send().status);
    assertEquals(1, ledger.refunded.get(), "refused before any try: refunded");
  }

  @Test
  void anAliasIsRewrittenToTheRealModelWhichIsPricedAndRecorded() throws Exception {
    a.enqueue(ok());
    proxy(p -> p.alias("fast", "claude-haiku-4-5").addMember(member("a", url(a))));

    send("{\"model\":\"fast\", \"max_tokens\":10,\"metadata\":{\"model\":\"fast\"}}");

    assertEquals(
        "{\"model\":\"claude-haiku-4-5\", \"max_tokens\":10,\"metadata\":{\"model\":\"fast\"}}",
        a.takeRequest().getBody().utf8());
    ProxyEvent event = event();
    assertEquals(Optional.of("claude-haiku-4-5"), event.model());
    assertEquals(Optional.of("fast"), event.modelAlias());
    assertTrue(event.costNanoUsd() > 0, "priced as the real model");
  }

  @Test
  void neitherEventsNorPoolStatesShowAMembersKey() throws Exception {
    a.enqueue(status(429, "{}"));
    b.enqueue(ok());
    proxy(
        p ->
            p.strategy(PoolStrategy.FILL_FIRST)
                .addMember(member("a", url(a)))
                .addMember(member("b", url(b))));
    send();
    String shown = event() + " " + proxy.poolStates();
    assertTrue(shown.contains("member=b"), shown);
    assertTrue(shown.contains("a: resting until"), shown);
    assertFalse(shown.contains("sk-ant-key"), shown);
  }

  /** Counts upstream answers not yet closed. */
  private final class CountingClient implements UpstreamClient {
    private final UpstreamClient delegate;

    CountingClient(UpstreamClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public UpstreamCall newCall(UpstreamRequest request) {
      UpstreamCall call = delegate.newCall(request);
      return new UpstreamCall() {
        @Override
        public UpstreamResponse execute() throws IOException {
          UpstreamResponse response = call.execute();
          openResponses.incrementAndGet();
          AtomicInteger closes = new AtomicInteger();
          return new UpstreamResponse() {
            @Override
            public int status() {
              return response.status();
            }

            @Override
            public dev.llmproxy.api.Headers headers() {
              return response.headers();
            }

            @Override
            public InputStream body() {
              return response.body();
            }

            @Override
            public void close() {
              if (closes.getAndIncrement() == 0) {
                openResponses.decrementAndGet();
              }
              response.close();
            }
          };
        }

        @Override
        public void cancel() {
          call.cancel();
        }

        @Override
        public boolean requestSent() {
          return call.requestSent();
        }

        @Override
        public boolean isCanceled() {
          return call.isCanceled();
        }
      };
    }
  }
}
