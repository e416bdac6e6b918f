package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's own time: every answer, relayed or the proxy's own, says it in {@code
 * x-llmproxy-overhead-ms}, and the event says the same; the upstream's time is not in it.
 */
class OverheadTest {
  private static final String TOKEN = "lp_sk_test";
  private static final Duration UPSTREAM_THINKS = Duration.ofMillis(400);

  private final MockWebServer upstream = new MockWebServer();
  private final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
  private LlmProxy proxy;

  @BeforeEach
  void start() throws IOException {
    upstream.start();
    proxy =
        LlmProxy.builder()
            .anthropic(new AnthropicSettings(upstream.url("/").toString()))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore(
                SharedCredentialStore.empty().withApiKey(ProviderId.ANTHROPIC, "sk-ant-k"))
            .addListener(events::add)
            .build();
  }

  @AfterEach
  void stop() {
    proxy.close();
    upstream.close();
  }

  @Test
  void aRelayedAnswerSaysTheProxysTimeWithoutTheUpstreamsWait() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .headersDelay(UPSTREAM_THINKS.toMillis(), TimeUnit.MILLISECONDS)
            .body("{}")
            .build());
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(exchange);
    exchange.await();
    ProxyEvent event = events.poll(10, TimeUnit.SECONDS);

    assertEquals(200, exchange.status);
    Duration header = headerOf(exchange);
    assertTrue(
        event.latency().compareTo(UPSTREAM_THINKS) >= 0, "the upstream's wait is in the latency");
    assertTrue(
        header.compareTo(UPSTREAM_THINKS) < 0,
        "but not in the overhead: " + header + " of " + event.latency());
    assertEquals(header, truncatedToMicros(event.overhead()), "the header and the event agree");
  }

  @Test
  void aRefusalSaysTheProxysTimeToo() throws Exception {
    FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", "lp_sk_unknown", "{}");
    proxy.handle(exchange);
    exchange.await();
    ProxyEvent event = events.poll(10, TimeUnit.SECONDS);

    assertEquals(401, exchange.status);
    Duration header = headerOf(exchange);
    assertTrue(header.compareTo(event.latency()) <= 0, header + " within " + event.latency());
    assertEquals(header, truncatedToMicros(event.overhead()));
  }

  @Test
  void anUpstreamErrorPassedThroughCarriesIt() throws Exception {
    upstream.enqueue(new MockResponse.Builder().code(500).body("{}").build());
    FakeExchange passed = FakeExchange.post("/anthropic/v1/messages", TOKEN, "{}");
    proxy.handle(passed);
    passed.await();
    assertEquals(500, passed.status);
    headerOf(passed);
  }

  /** The header's value, which must be a decimal number of milliseconds with three decimals. */
  private static Duration headerOf(FakeExchange exchange) {
    String value = exchange.responseHeaders.first("x-llmproxy-overhead-ms").orElseThrow();
    assertTrue(value.matches("\\d+\\.\\d{3}"), value);
    return Duration.ofNanos(new BigDecimal(value).movePointRight(6).longValueExact());
  }

  private static Duration truncatedToMicros(Duration duration) {
    return Duration.ofNanos(duration.toNanos() / 1000 * 1000);
  }
}
