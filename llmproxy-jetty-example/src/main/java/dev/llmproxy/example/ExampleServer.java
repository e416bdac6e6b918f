package dev.llmproxy.example;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyListener;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.core.AnthropicSettings;
import dev.llmproxy.core.BatchingListener;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.OkHttpUpstreamClient;
import dev.llmproxy.core.OpenAiSettings;
import dev.llmproxy.core.credentials.KeyFormats;
import dev.llmproxy.core.tokens.IssuedTokens;
import dev.llmproxy.jdbc.JdbcAuditSink;
import dev.llmproxy.jetty.JettySupport;
import dev.llmproxy.jettyclient.JettyUpstreamClient;
import dev.llmproxy.micrometer.LlmProxyMetrics;
import dev.llmproxy.servlet.AdminTokensServlet;
import dev.llmproxy.servlet.LlmProxyFilter;
import dev.llmproxy.servlet.MyKeysServlet;
import dev.llmproxy.servlet.TokenRequests;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The example host: Jetty 12 with the proxy filter on {@code /proxy/*}, {@code /admin/tokens}, and
 * {@code /healthz}. Tests start it exactly as {@code serve} does.
 */
final class ExampleServer implements AutoCloseable {
  static final String MOUNT_PATH = LlmProxyFilter.DEFAULT_MOUNT_PATH;

  private final Server server;
  private final LlmProxy proxy;
  private final IssuedTokens tokens;

  private final AuditLog audit;
  private final java.util.concurrent.atomic.AtomicBoolean closing =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final List<BatchingListener> auditWriters;

  private final DataDirState state;
  private final List<ServerConnector> connectors;
  private final String host;

  /**
   * Threads of the server's pool when the relay does not block: requests, the stages and writes to
   * clients run on it, and no exchange waits on one.
   */
  static final int NON_BLOCKING_THREADS = 32;

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ExampleServer.class);

  /** Threads of the upstream client's pool when the relay does not block. */
  static final int UPSTREAM_THREADS = 16;

  private final AutoCloseable upstream; // given to the proxy, which does not close it

  private ExampleServer(
      Server server,
      LlmProxy proxy,
      AutoCloseable upstream,
      DataDirState state,
      AuditLog audit,
      List<BatchingListener> auditWriters,
      List<ServerConnector> connectors,
      String host) {
    this.server = server;
    this.connectors = connectors;
    this.host = host;
    this.proxy = proxy;
    this.upstream = upstream;
    this.state = state;
    this.tokens = state.tokens;
    this.audit = audit;
    this.auditWriters = auditWriters;
  }

  /** Builds and starts the server; {@code listeners} receive every exchange's event. */
  static ExampleServer start(ExampleConfig config, Secret adminToken, List<ProxyListener> listeners)
      throws Exception {
    return start(config, adminToken, listeners, Clock.systemUTC());
  }

  /** As above, on {@code clock} (tests pin it to make rate windows and expiry deterministic). */
  static ExampleServer start(
      ExampleConfig config, Secret adminToken, List<ProxyListener> listeners, Clock clock)
      throws Exception {
    DataDirState state = DataDirState.open(config, clock);
    try {
      return start(config, adminToken, listeners, clock, state);
    } catch (Exception | Error e) {
      state.close(); // the database pool, and the ledger's directory lock
      throw e;
    }
  }

  private static ExampleServer start(
      ExampleConfig config,
      Secret adminToken,
      List<ProxyListener> listeners,
      Clock clock,
      DataDirState state)
      throws Exception {
    BudgetLedger ledger = state.ledger();
    AuditLog audit = new AuditLog(config.dataDir());
    // Off the exchange's thread, one flush and one transaction per batch. A shared database also
    // gets the audit table, the one place to query every instance's exchanges; with the data
    // directory's own H2 the audit log is that place, and a second copy would only cost CPU.
    List<BatchingListener> auditWriters = new java.util.ArrayList<>();
    Optional<JdbcAuditSink> auditTable = Optional.empty();
    auditWriters.add(BatchingListener.of("audit-log", audit::write));
    if (config.jdbcUrl().isPresent()) {
      auditTable = Optional.of(new JdbcAuditSink(state.stores));
      auditWriters.add(BatchingListener.of("audit-table", auditTable.get()::write));
    }
    // LLMPROXY_RELAY: Jetty's HttpClient, whose exchanges hold no thread while they wait (the
    // default), or OkHttp, one thread per exchange until it ends (docs/performance.md compares).
    UpstreamClient upstream;
    AutoCloseable upstreamCloser;
    QueuedThreadPool threads = null; // Jetty's default pool, unless the relay does not block
    if (config.nonBlockingRelay()) {
      // Nothing waits on a thread, so two small pools serve any number of open streams: the
      // server's (requests, the stages, writes to clients) and the upstream client's (reads from
      // upstreams), apart so that stages stuck on a slow database never stop open streams.
      threads = new QueuedThreadPool(NON_BLOCKING_THREADS, 4);
      threads.setName("llmproxy-http");
      QueuedThreadPool upstreamThreads = new QueuedThreadPool(UPSTREAM_THREADS, 2);
      upstreamThreads.setName("llmproxy-upstream");
      upstreamThreads.setDaemon(true);
      threads.start();
      upstreamThreads.start();
      JettyUpstreamClient jetty =
          JettyUpstreamClient.create(
              JettyUpstreamClient.DEFAULT_CONNECT_TIMEOUT,
              config.upstreamIdleTimeout(),
              upstreamThreads);
      upstream = jetty;
      QueuedThreadPool serverThreads = threads;
      upstreamCloser =
          () -> {
            try {
              jetty.close();
              upstreamThreads.stop();
            } finally {
              serverThreads.stop(); // the server, stopped before this, left it to its owner
            }
          };
    } else {
      OkHttpUpstreamClient okHttp =
          OkHttpUpstreamClient.builder().readTimeout(config.upstreamIdleTimeout()).build();
      upstream = okHttp;
      upstreamCloser = okHttp;
    }
    boolean started = false;
    try {
      LlmProxy.Builder builder =
          LlmProxy.builder()
              .tokenResolver(state.tokens)
              .credentialStore(state.credentials())
              .budgetLedger(ledger)
              .tiers(config.tiers())
              .anthropic(new AnthropicSettings(config.anthropicBaseUrl()))
              .openAi(new OpenAiSettings(config.openaiBaseUrl(), config.injectOpenAiStreamUsage()))
              .upstreamClient(upstream)
              .nonBlockingRelay(config.nonBlockingRelay())
              .maxRequestBodyBytes(config.maxBodyBytes())
              .maxConcurrentExchanges(config.maxConcurrent())
              .shutdownDrain(config.shutdownDrain())
              .budgetZone(config.budgetZone())
              .clock(clock);
      auditWriters.forEach(builder::addListener);
      listeners.forEach(builder::addListener);
      config.compatibleUpstreams().forEach(u -> builder.addCompatibleUpstream(u.upstream()));
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      LlmProxyMetrics.Builder meters = LlmProxyMetrics.builder(metrics);
      config.compatibleUpstreams().forEach(u -> meters.provider(u.upstream().name().value()));
      builder.addObserver(meters.build());
      config.pools().forEach(builder::addPool);
      LlmProxy proxy = builder.build();
      for (dev.llmproxy.core.pools.MemberState member : proxy.poolMembers()) {
        // Members are fixed at start: one gauge pair each, tagged by the ids the operator chose.
        io.micrometer.core.instrument.Tags tags =
            io.micrometer.core.instrument.Tags.of(
                "gen_ai.system", member.provider(), "llmproxy.pool.member", member.member());
        io.micrometer.core.instrument.Gauge.builder(
                "llmproxy.pool.member.resting",
                proxy,
                p -> memberState(p, member).map(m -> m.resting() ? 1.0 : 0.0).orElse(0.0))
            .description("1 while the pool member rests (rate limited or failing), else 0")
            .tags(tags)
            .register(metrics);
        io.micrometer.core.instrument.Gauge.builder(
                "llmproxy.pool.member.in_flight",
                proxy,
                p -> memberState(p, member).map(m -> (double) m.inFlight()).orElse(0.0))
            .description("exchanges the pool member serves now")
            .tags(tags)
            .register(metrics);
      }

      Server server = threads == null ? new Server() : new Server(threads);
      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      // Let encoded dot segments reach the proxy, which refuses them itself in the right envelope.
      http.setUriCompliance(
          UriCompliance.DEFAULT.with(
              "llmproxy",
              UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
              UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
      List<ServerConnector> connectors =
          HttpListeners.open(
              config.host(),
              config.port(),
              () -> {
                ServerConnector connector =
                    new ServerConnector(server, new HttpConnectionFactory(http));
                // Agents open many streams at once. With the JDK's default backlog of 50, a burst
                // overflows the accept queue and each dropped connection waits a second for its SYN
                // to be resent (the kernel caps this at net.core.somaxconn).
                connector.setAcceptQueueSize(4096);
                // Jetty fails an async request whose connection is idle longer than this, so it
                // must
                // outlast the longest upstream silence the proxy tolerates (a long non-streaming
                // answer).
                connector.setIdleTimeout(config.upstreamIdleTimeout().plusSeconds(30).toMillis());
                return connector;
              });
      connectors.forEach(server::addConnector);

      ServletContextHandler context = new ServletContextHandler("/");
      context.getServletHandler().setDecodeAmbiguousURIs(true);
      FilterHolder filter =
          new FilterHolder(
              new LlmProxyFilter(
                  proxy, MOUNT_PATH, new JettySupport(config.watchClientDisconnects())));
      filter.setAsyncSupported(true);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
      context.addServlet(
          new ServletHolder(
              new AdminTokensServlet(
                  state.tokens, adminToken, tokenRequests(config, clock), ledger)),
          "/admin/tokens/*");
      context.addServlet(
          new ServletHolder(new MyKeysServlet(state.tokens, state.userKeys, keyFormats(config))),
          "/api/v1/me/keys/*");
      context.addServlet(
          new ServletHolder(
              new AdminUsageServlet(
                  adminToken, auditTable, config.dataDir().resolve(AuditLog.FILE_NAME))),
          "/admin/usage");
      context.addServlet(
          new ServletHolder(
              new dev.llmproxy.servlet.MyUsageServlet(
                  state.tokens, ledger, clock, config.budgetZone())),
          "/api/v1/me/usage");
      context.addServlet(new ServletHolder(new MetricsServlet(adminToken, metrics)), "/metrics");
      context.addServlet(
          new ServletHolder(new AdminPoolsServlet(adminToken, proxy)), "/admin/pools");
      BatchingListener auditLogWriter = auditWriters.get(0);
      context.addServlet(
          new ServletHolder(
              new AdminAuditServlet(
                  adminToken,
                  config.dataDir().resolve(AuditLog.FILE_NAME),
                  () -> {
                    try {
                      auditLogWriter.flush(2, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  })),
          "/admin/audit");
      context.addServlet(new ServletHolder(new HealthServlet()), "/healthz");
      ServletHolder page = new ServletHolder(new StaticPageServlet());
      context.addServlet(page, "/me/proxy");
      context.addServlet(page, "/me/proxy.js");
      context.addServlet(page, "/me/proxy.css");
      context.addServlet(page, "/admin");
      context.addServlet(page, "/admin/console.js");
      context.addServlet(page, "/admin/console.css");
      ProxyErrorHandler errors = new ProxyErrorHandler(proxy, MOUNT_PATH);
      context.setErrorHandler(errors);
      server.setErrorHandler(errors);
      server.setHandler(context);
      try {
        server.start();
      } catch (Exception e) {
        HttpListeners.close(connectors);
        throw e;
      }
      started = true;
      return new ExampleServer(
          server, proxy, upstreamCloser, state, audit, auditWriters, connectors, config.host());
    } finally {
      if (!started) {
        try {
          upstreamCloser.close(); // its threads would outlive a start that failed
        } catch (Exception e) {
          log.warn("Closing the upstream client after a failed start failed: {}", e.toString());
        }
      }
    }
  }

  /** How the admin API and the CLI validate token requests. */
  static TokenRequests tokenRequests(ExampleConfig config, Clock clock) {
    Set<ProviderId> providers =
        new java.util.HashSet<>(Set.of(ProviderId.ANTHROPIC, ProviderId.OPENAI));
    config.compatibleUpstreams().forEach(u -> providers.add(u.upstream().name()));
    return new TokenRequests(
        config.tiers().names(), config.defaultTier(), providers, clock, config.budgetZone());
  }

  /** Which providers accept users' own keys, and their prefixes. */
  static KeyFormats keyFormats(ExampleConfig config) {
    KeyFormats formats = KeyFormats.defaults();
    for (UpstreamsConfig.Upstream upstream : config.compatibleUpstreams()) {
      if (upstream.upstream().keyPrefix().isPresent()) {
        formats = formats.with(upstream.upstream().name(), upstream.upstream().keyPrefix().get());
      }
    }
    return formats;
  }

  private static java.util.Optional<dev.llmproxy.core.pools.MemberState> memberState(
      LlmProxy proxy, dev.llmproxy.core.pools.MemberState which) {
    return proxy.poolMembers().stream()
        .filter(m -> m.provider().equals(which.provider()) && m.member().equals(which.member()))
        .findFirst();
  }

  /** The server's state: its database, tokens, keys and ledger. */
  DataDirState state() {
    return state;
  }

  /** How long Jetty lets a connection sit silent, e.g. under a stream the upstream paused. */
  java.time.Duration connectorIdleTimeout() {
    return java.time.Duration.ofMillis(connectors.get(0).getIdleTimeout());
  }

  /** Each pool's members and their state now; never a credential. */
  java.util.Map<String, List<String>> poolStates() {
    return proxy.poolStates();
  }

  /** The bound port. */
  int port() {
    return connectors.get(0).getLocalPort();
  }

  /**
   * {@code http://localhost:PORT}, or the configured host's when the proxy listens on neither
   * loopback nor every interface.
   */
  String baseUrl() {
    return "http://" + HttpListeners.urlHost(host, connectors) + ":" + port();
  }

  /** Where the server listens, e.g. {@code [127.0.0.1:8080, [::1]:8080]}. */
  List<String> listening() {
    return HttpListeners.describe(connectors);
  }

  /** Whether only this machine can reach the server. */
  boolean loopbackOnly() {
    return HttpListeners.loopbackOnly(connectors);
  }

  /** The issued-token registry, e.g. to issue the demo token. */
  IssuedTokens tokens() {
    return tokens;
  }

  /** Waits until every exchange so far is in the audit log and table. */
  void flushAudit() throws InterruptedException {
    for (BatchingListener writer : auditWriters) {
      if (!writer.flush(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("audit writer did not catch up in 10 s");
      }
    }
  }

  void join() throws InterruptedException {
    server.join();
  }

  /**
   * Stops gracefully: the proxy first (new exchanges are answered overloaded, those in flight get
   * the shutdown drain to finish while the server still carries their bytes, the rest are cancelled
   * and settled), then the server, then the audit writers (every event on disk) and the stores.
   */
  @Override
  public void close() throws Exception {
    if (!closing.compareAndSet(false, true)) {
      return; // the shutdown hook and the main thread may both get here
    }
    proxy.close();
    try {
      server.stop();
    } finally {
      upstream.close(); // its connections and threads, once no exchange and no request uses them
    }
    auditWriters.forEach(BatchingListener::close);
    audit.close();
    state.close();
  }

  private static final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType("application/json");
      response.getWriter().write("{\"status\":\"ok\"}");
    }
  }
}
