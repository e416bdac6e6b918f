package dev.llmproxy.opentelemetry;

import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.core.AnthropicSettings;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.ledger.InMemoryBudgetLedger;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import dev.llmproxy.servlet.LlmProxyFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The proxy as a host runs it: {@link LlmProxyFilter} in a real Jetty 12 on a random port, in front
 * of {@code upstreamBaseUrl}, with one user (alice, token {@link #TOKEN}) whose tier allows {@link
 * #RATE} requests a minute, an in-memory ledger, and a queue of the events published.
 */
final class ProxyServer implements AutoCloseable {
  static final String TOKEN = "lp_sk_alice_secret_token";
  static final String UPSTREAM_KEY = "sk-ant-upstream-secret-key";
  static final int RATE = 5;

  final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> stages = new LinkedBlockingQueue<>();
  private final LlmProxy proxy;
  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);

  ProxyServer(String upstreamBaseUrl, ExchangeObserver observer) throws Exception {
    this(upstreamBaseUrl, observer, null);
  }

  /** As above, sending upstream through {@code upstreamClient} (the proxy's own if null). */
  ProxyServer(String upstreamBaseUrl, ExchangeObserver observer, UpstreamClient upstreamClient)
      throws Exception {
    this(upstreamBaseUrl, observer, upstreamClient, false);
  }

  /**
   * As above, reading request bodies and relaying answers without a blocked thread where it can if
   * {@code nonBlockingRelay}.
   */
  ProxyServer(
      String upstreamBaseUrl,
      ExchangeObserver observer,
      UpstreamClient upstreamClient,
      boolean nonBlockingRelay)
      throws Exception {
    LlmProxy.Builder builder = LlmProxy.builder().nonBlockingRelay(nonBlockingRelay);
    if (upstreamClient != null) {
      builder.upstreamClient(upstreamClient);
    }
    proxy =
        builder
            .anthropic(new AnthropicSettings(upstreamBaseUrl))
            .tokenResolver(StaticTokenResolver.of(Map.of(TOKEN, Principal.user("alice", "pro"))))
            .credentialStore(
                SharedCredentialStore.empty().withApiKey(ProviderId.ANTHROPIC, UPSTREAM_KEY))
            .budgetLedger(new InMemoryBudgetLedger())
            .tiers(Tiers.defaults().withRate("pro", RATE))
            .addObserver(observer)
            .addObserver(
                start ->
                    new ExchangeObserver.Observation() {
                      @Override
                      public void stage(String name) {
                        stages.add(name);
                      }

                      @Override
                      public void end(ProxyEvent event) {}
                    })
            .addListener(events::add)
            .build();
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder filter = new FilterHolder(new LlmProxyFilter(proxy));
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
  }

  /** {@code http://127.0.0.1:PORT/proxy/anthropic}. */
  String anthropicBase() {
    return "http://127.0.0.1:" + connector.getLocalPort() + "/proxy/anthropic";
  }

  /** Waits up to 10 s for an exchange to begin the stage {@code name}. */
  void awaitStage(String name) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String stage;
    while ((stage = stages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null) {
      if (stage.equals(name)) {
        return;
      }
    }
    throw new AssertionError("no exchange began " + name + " within 10 s");
  }

  /** {@code 127.0.0.1} and the port the proxy listens on. */
  java.net.InetSocketAddress address() {
    return new java.net.InetSocketAddress("127.0.0.1", connector.getLocalPort());
  }

  /** The next event published; fails if none comes within 10 s. */
  ProxyEvent nextEvent() throws InterruptedException {
    ProxyEvent event = events.poll(10, TimeUnit.SECONDS);
    if (event == null) {
      throw new AssertionError("no event within 10 s");
    }
    return event;
  }

  @Override
  public void close() throws Exception {
    proxy.close();
    server.stop();
  }
}
