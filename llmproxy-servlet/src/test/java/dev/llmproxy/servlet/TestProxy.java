package dev.llmproxy.servlet;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.core.AnthropicSettings;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.OpenAiSettings;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The proxy the adapter serves in these tests: both providers at one test upstream, one user token,
 * a shared organisation key, a ledger that reports a rate window, and a listener that keeps every
 * exchange's event.
 *
 * <p>The only test class that names llmproxy-core's types, so that moving one is a one-file edit.
 */
final class TestProxy implements AutoCloseable {
  /** The proxy token of the one user. */
  static final String TOKEN = "proxy-token-of-alice";

  /** The organisation's upstream key, which the upstream must see instead of {@link #TOKEN}. */
  static final String ORG_KEY = "sk-ant-org-key";

  /** The rate window the ledger reports, so the X-RateLimit headers have something to say. */
  static final RateLimitState WINDOW =
      new RateLimitState(300, 299, Instant.parse("2030-01-01T00:00:00Z"));

  private final LlmProxy proxy;
  private final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> stages = new LinkedBlockingQueue<>();
  private final WindowLedger window = new WindowLedger();

  /** A proxy forwarding Anthropic and OpenAI routes to {@code upstreamBaseUrl}. */
  TestProxy(String upstreamBaseUrl) {
    this.proxy = builder(upstreamBaseUrl, TestProxy::resolve, sharedKeys(), window).build();
  }

  /**
   * As above, sending through {@code upstream} and relaying without a blocked thread where it can
   * ({@code LlmProxy.Builder.nonBlockingRelay}); the proxy does not close {@code upstream}.
   */
  TestProxy(String upstreamBaseUrl, UpstreamClient upstream) {
    this.proxy =
        builder(upstreamBaseUrl, TestProxy::resolve, sharedKeys(), window)
            .upstreamClient(upstream)
            .nonBlockingRelay(true)
            .build();
  }

  /** As above, with the host's stores replaced, e.g. by ones that fail. */
  TestProxy(
      String upstreamBaseUrl,
      TokenResolver tokens,
      CredentialStore credentials,
      BudgetLedger ledger) {
    this.proxy = builder(upstreamBaseUrl, tokens, credentials, ledger).build();
  }

  private LlmProxy.Builder builder(
      String upstreamBaseUrl,
      TokenResolver tokens,
      CredentialStore credentials,
      BudgetLedger ledger) {
    return LlmProxy.builder()
        .anthropic(new AnthropicSettings(upstreamBaseUrl))
        .openAi(OpenAiSettings.defaults().withBaseUrl(upstreamBaseUrl))
        .tokenResolver(tokens)
        .credentialStore(credentials)
        .budgetLedger(ledger)
        .addListener(events::add)
        .addObserver(
            start ->
                new ExchangeObserver.Observation() {
                  @Override
                  public void stage(String name) {
                    stages.add(name);
                  }

                  @Override
                  public void end(ProxyEvent event) {}
                });
  }

  /** Waits at most {@code within} for an exchange to begin the stage {@code name}. */
  void awaitStage(String name, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    for (String stage;
        (stage = stages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null; ) {
      if (stage.equals(name)) {
        return;
      }
    }
    throw new AssertionError("no exchange began " + name + " within " + within);
  }

  /** The one user's token resolves to alice, tier {@code pro}; any other is unknown. */
  static TokenResolution resolve(PresentedCredential credential) {
    return TOKEN.equals(credential.token().reveal())
        ? TokenResolution.authenticated(Principal.user("alice", "pro"))
        : TokenResolution.rejected(TokenResolution.Reason.UNKNOWN);
  }

  /** The organisation's keys for both providers. */
  static CredentialStore sharedKeys() {
    return SharedCredentialStore.empty()
        .withApiKey(ProviderId.ANTHROPIC, ORG_KEY)
        .withApiKey(ProviderId.OPENAI, "sk-openai-org-key");
  }

  /** A ledger that grants every request and reports the rate window the headers show. */
  static BudgetLedger windowLedger() {
    return new WindowLedger();
  }

  /**
   * Runs {@code hook} on each commit of the ledger of the first two constructors, on the thread
   * booking the exchange, before the commit returns.
   */
  void onCommit(Runnable hook) {
    window.onCommit = hook;
  }

  /** A filter serving this proxy under {@code mountPath} with the container's support. */
  LlmProxyFilter filter(String mountPath, ContainerSupport support) {
    return new LlmProxyFilter(proxy, mountPath, support);
  }

  /** The context attributes in which a filter built by its no-argument constructor finds it. */
  Map<String, Object> contextAttributes() {
    return Map.of(LlmProxyFilter.PROXY_ATTRIBUTE, proxy);
  }

  /** The event of the next exchange to end, waiting at most {@code within} for it. */
  ProxyEvent nextEvent(Duration within) throws InterruptedException {
    ProxyEvent event = events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    if (event == null) {
      throw new AssertionError("no exchange ended within " + within);
    }
    return event;
  }

  @Override
  public void close() {
    proxy.close();
  }

  /** Grants every request and reports {@link #WINDOW}. */
  private static final class WindowLedger implements BudgetLedger {
    volatile Runnable onCommit = () -> {};

    @Override
    public Decision reserve(ReservationRequest request) {
      return new Decision.Granted(
          new Reservation(UUID.randomUUID().toString(), request.principal(), request.estimate()),
          WINDOW);
    }

    @Override
    public void commit(Reservation reservation, Charge actual) {
      onCommit.run();
    }

    @Override
    public void refund(Reservation reservation) {}

    @Override
    public RateLimitState rateLimit(Principal principal, RateLimit limit, Instant at) {
      return WINDOW;
    }
  }
}
