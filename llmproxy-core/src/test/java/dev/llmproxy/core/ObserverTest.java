package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.ExchangeStart;
import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * An {@link ExchangeObserver} hears each exchange start (with the caller's trace context and no
 * other header), each stage, and its end with the event the listeners get; one that throws breaks
 * nothing.
 */
class ObserverTest {
  private static final String TOKEN = "lp_sk_test";
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final BlockingQueue<ProxyEvent> ended = new LinkedBlockingQueue<>();
  private final BlockingQueue<ProxyEvent> listened = new LinkedBlockingQueue<>();
  private final BlockingQueue<ExchangeStart> starts = new LinkedBlockingQueue<>();

  private final ExchangeObserver recording =
      start -> {
        starts.add(start);
        return new ExchangeObserver.Observation() {
          @Override
          public void stage(String name) {
            heard.add(name);
          }

          @Override
          public void end(ProxyEvent event) {
            ended.add(event);
          }
        };
      };

  private final ExchangeObserver throwing =
      start -> {
        throw new IllegalStateException("a broken observer");
      };

  private LlmProxy proxy(MockWebServer upstream) {
    return LlmProxy.builder()
        .anthropic(new AnthropicSettings(upstream.url("/").toString()))
        .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
        .credentialStore(SharedCredentialStore.empty().withApiKey(ProviderId.ANTHROPIC, "sk-ant-k"))
        .addObserver(throwing)
        .addObserver(recording)
        .addListener(listened::add)
        .build();
  }

  @Test
  void anObserverHearsTheStartTheStagesAndTheEndOfAnAnsweredExchange() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start();
      upstream.enqueue(new MockResponse.Builder().body("{}").build());
      try (LlmProxy proxy = proxy(upstream)) {
        FakeExchange exchange =
            new FakeExchange(
                "POST",
                "/anthropic/v1/messages",
                Headers.of(
                    "x-api-key", TOKEN,
                    "content-type", "application/json",
                    "traceparent", TRACEPARENT),
                "{}".getBytes(StandardCharsets.UTF_8));
        proxy.handle(exchange);
        exchange.await();
        assertEquals(200, exchange.status, "a throwing observer breaks nothing");

        ExchangeStart start = starts.poll(10, TimeUnit.SECONDS);
        assertEquals("anthropic", start.provider());
        assertEquals("/anthropic/v1/messages", start.path());
        assertEquals(Headers.of("traceparent", TRACEPARENT), start.traceContext(), "no secret");
        ProxyEvent event = ended.poll(10, TimeUnit.SECONDS);
        assertSame(listened.poll(10, TimeUnit.SECONDS), event, "the listeners' event");
        assertEquals(
            List.of(
                "authenticate",
                "route",
                "read_body",
                "alias",
                "authorize",
                "reserve",
                "credential",
                "failover",
                "forward",
                "respond",
                "settle"),
            heard);
      }
    }
  }

  @Test
  void aRefusedExchangeStopsAtTheStageThatRefusedIt() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start();
      LlmProxy proxy = proxy(upstream);
      FakeExchange exchange = FakeExchange.post("/anthropic/v1/messages", "lp_sk_unknown", "{}");
      proxy.handle(exchange);
      exchange.await();
      assertEquals(401, ended.poll(10, TimeUnit.SECONDS).status());
      assertEquals(List.of("authenticate", "error", "settle"), heard);
      proxy.close();
    }
  }
}
