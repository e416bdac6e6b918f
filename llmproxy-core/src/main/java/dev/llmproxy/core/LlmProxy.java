package dev.llmproxy.core;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyListener;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.core.internal.exchange.Engine;
import dev.llmproxy.core.pools.UpstreamPool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The proxy engine. Build one per application with {@link #builder()}, hand it every exchange on a
 * proxy route with {@link #handle(ProxyExchange)}, and {@link #close()} it on shutdown.
 *
 * <pre>{@code
 * LlmProxy proxy = LlmProxy.builder()
 *     .tokenResolver(myUsers::resolveToken)
 *     .credentialStore(SharedCredentialStore.empty().withApiKey(ProviderId.ANTHROPIC, orgKey))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe. Each exchange runs on the proxy's executor, so container threads are never held
 * by a long stream; past {@code maxConcurrentExchanges} the proxy answers overloaded at once
 * instead of queueing.
 */
public final class LlmProxy implements AutoCloseable {
  /** Default request body limit: 32 MiB. */
  public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 32L * 1024 * 1024;

  /**
   * Output tokens assumed for a generation request that names no {@code max_tokens}, when reserving
   * its worst-case cost.
   */
  public static final long DEFAULT_MAX_OUTPUT_TOKENS = 64_000;

  /** Default limit of exchanges in flight. */
  public static final int DEFAULT_MAX_CONCURRENT_EXCHANGES = 10_000;

  /** How often the ledger's heartbeat runs by default: every 10 seconds. */
  public static final Duration DEFAULT_LEDGER_HEARTBEAT = Duration.ofSeconds(10);

  /** How long {@link #close()} lets exchanges in flight finish by default: 30 seconds. */
  public static final Duration DEFAULT_SHUTDOWN_DRAIN = Duration.ofSeconds(30);

  private final Engine engine;
  private final OkHttpUpstreamClient ownedUpstream; // null when the host supplied the client

  private LlmProxy(Builder builder) {
    this.ownedUpstream =
        builder.upstreamClient == null ? OkHttpUpstreamClient.builder().build() : null;
    this.engine =
        new Engine(
            Defaults.apply(
                builder, ownedUpstream != null ? ownedUpstream : builder.upstreamClient));
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs {@code exchange} through the proxy's stages on its executor and returns at once. The
   * exchange is always completed or aborted, exactly once, whatever happens.
   */
  public void handle(ProxyExchange exchange) {
    engine.handle(exchange);
  }

  /**
   * The error response for a request on {@code path} (below the mount point) that the container
   * refused with {@code status} before the proxy saw it, in the envelope of the provider the path
   * names.
   */
  public ErrorResponse containerError(String path, int status, String message) {
    return engine.containerError(path, status, message);
  }

  /**
   * Each upstream pool's members and their state now, by provider: e.g. {@code org-a: ready, in
   * flight 2} or {@code org-b: resting until 2026-01-01T10:00:00Z, in flight 0}. Never a
   * credential. Empty without pools.
   */
  public Map<String, List<String>> poolStates() {
    return engine.poolStates();
  }

  /**
   * Every upstream pool member's state now (resting or ready, exchanges in flight), pool by pool,
   * for health pages and gauges. Never a credential. Empty without pools.
   */
  public List<dev.llmproxy.core.pools.MemberState> poolMembers() {
    return engine.poolMembers();
  }

  /**
   * Shuts the proxy down gracefully: later exchanges are answered overloaded at once; those in
   * flight (streams included) get the {@linkplain Builder#shutdownDrain shutdown drain} to finish;
   * any still running then have their upstream calls cancelled and are settled (their usage booked
   * and their event published) before this returns. Shuts down the executor and closes the upstream
   * client if the proxy created them. Blocks for at most the drain plus a few seconds; call it
   * before the container stops, so streams in flight can still write.
   */
  @Override
  public void close() {
    engine.close();
    if (ownedUpstream != null) {
      ownedUpstream.close();
    }
  }

  /**
   * Configures an {@link LlmProxy}. A token resolver and a credential store are required; every
   * other setting has a default, applied in one place ({@code Defaults}). Each setter may be called
   * once; a second call fails with {@link IllegalStateException}.
   */
  public static final class Builder {
    TokenResolver tokenResolver;
    CredentialStore credentialStore;
    BudgetLedger budgetLedger;
    UpstreamClient upstreamClient;
    Boolean nonBlockingRelay;
    Executor executor;
    AnthropicSettings anthropic;
    OpenAiSettings openAi;
    Clock clock;
    PriceTable prices;
    Tiers tiers;
    Long defaultMaxOutputTokens;
    Long maxRequestBodyBytes;
    Integer maxConcurrentExchanges;
    Duration shutdownDrain;
    Duration ledgerHeartbeat;
    java.time.ZoneId budgetZone;
    final List<ProxyListener> listeners = new ArrayList<>();
    final List<ExchangeObserver> observers = new ArrayList<>();
    final List<CompatibleUpstream> compatibleUpstreams = new ArrayList<>();
    final Map<ProviderId, UpstreamPool> pools = new LinkedHashMap<>();
    private final Set<String> compatibleNames = new HashSet<>();

    private Builder() {}

    /** Resolves presented proxy tokens to principals. Required. */
    public Builder tokenResolver(TokenResolver resolver) {
      requireUnset(tokenResolver, "tokenResolver");
      this.tokenResolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /** Finds upstream credentials. Required. */
    public Builder credentialStore(CredentialStore store) {
      requireUnset(credentialStore, "credentialStore");
      this.credentialStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Holds budgets and rate windows; default {@link BudgetLedger#unlimited()}, which enforces no
     * rate limit and no budget and sends no {@code X-RateLimit-*} headers.
     */
    public Builder budgetLedger(BudgetLedger ledger) {
      requireUnset(budgetLedger, "budgetLedger");
      this.budgetLedger = Objects.requireNonNull(ledger, "ledger");
      return this;
    }

    /**
     * Sends upstream requests; default an {@link OkHttpUpstreamClient} with its defaults, which the
     * proxy closes when it closes.
     */
    public Builder upstreamClient(UpstreamClient client) {
      requireUnset(upstreamClient, "upstreamClient");
      this.upstreamClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Runs each exchange, from reading the request to the last byte of the answer, on a thread of
     * {@code executor}; the proxy never shuts it down. It must start every task on another thread
     * at once, or throw {@link RejectedExecutionException} (the exchange is answered overloaded),
     * and never discard one: one that queues (a small fixed pool) holds streams behind other
     * streams, and one that runs tasks inline holds the container's thread. Default: a cached pool
     * of daemon platform threads, one per exchange in flight. On Java 21+, {@code
     * Executors.newVirtualThreadPerTaskExecutor()} holds about 100 KiB less per open stream, at a
     * measured cost in throughput and tail latency under load.
     */
    public Builder executor(Executor executor) {
      requireUnset(this.executor, "executor");
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** How to reach Anthropic; default {@link AnthropicSettings#defaults()}. */
    public Builder anthropic(AnthropicSettings settings) {
      requireUnset(anthropic, "anthropic");
      this.anthropic = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** How to reach OpenAI; default {@link OpenAiSettings#defaults()}. */
    public Builder openAi(OpenAiSettings settings) {
      requireUnset(openAi, "openAi");
      this.openAi = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * Serves an OpenAI-compatible upstream under its own route, {@code {mount}/{name}/…}.
     *
     * @throws IllegalArgumentException if an upstream of that name was already added
     */
    public Builder addCompatibleUpstream(CompatibleUpstream upstream) {
      Objects.requireNonNull(upstream, "upstream");
      if (!compatibleNames.add(upstream.name().value())) {
        throw new IllegalArgumentException("two upstreams named " + upstream.name());
      }
      compatibleUpstreams.add(upstream);
      return this;
    }

    /**
     * Serves a provider's requests from a pool of upstream accounts when the credential store has
     * no credential for the caller (see {@link UpstreamPool}): a user's own key still goes first,
     * alone; a shared key for the same provider in the store would shadow the pool, so leave it
     * out. The pool's members may also set their own base URLs.
     *
     * @throws IllegalArgumentException if a pool for that provider was already added
     */
    public Builder addPool(UpstreamPool pool) {
      Objects.requireNonNull(pool, "pool");
      if (pools.putIfAbsent(pool.provider(), pool) != null) {
        throw new IllegalArgumentException("two pools for " + pool.provider());
      }
      return this;
    }

    /** Adds a listener that receives one event per exchange. */
    public Builder addListener(ProxyListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds an observer that hears of each exchange as it starts, of its stages, and of its end: for
     * exchanges in flight and trace spans (e.g. {@code llmproxy-micrometer}, {@code
     * llmproxy-opentelemetry}).
     */
    public Builder addObserver(ExchangeObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    /**
     * Largest accepted request body; default {@value #DEFAULT_MAX_REQUEST_BODY_BYTES} bytes (32
     * MiB). Larger bodies get 413.
     */
    public Builder maxRequestBodyBytes(long bytes) {
      requireUnset(maxRequestBodyBytes, "maxRequestBodyBytes");
      if (bytes < 0 || bytes > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("maxRequestBodyBytes out of range: " + bytes);
      }
      this.maxRequestBodyBytes = bytes;
      return this;
    }

    /**
     * Whether exchanges run without holding a thread while they wait (default: no). The stages
     * (authenticate, authorize, reserve…) then run on the calling thread, the container's, with no
     * hand-over to the exchange executor unless {@link #executor} names one; the wait for the
     * upstream's headers holds no thread when the upstream client completes {@link
     * dev.llmproxy.api.UpstreamCall#executeAsync} on its own (e.g. {@code llmproxy-jetty-client});
     * and the body is copied chunk by chunk as the client can take it when the client's responses
     * offer a {@link dev.llmproxy.api.NonBlockingBody} and the container adapter a non-blocking
     * output (the servlet filter does). With a blocking client (the default OkHttp one) the
     * container's thread waits and copies instead, as a plain servlet would.
     *
     * <p>Tested as the blocking relay is: the adapter contract on Jetty and Tomcat, and the Jetty
     * example's whole suite and fault-heavy soak, run over both.
     */
    public Builder nonBlockingRelay(boolean enabled) {
      requireUnset(nonBlockingRelay, "nonBlockingRelay");
      this.nonBlockingRelay = enabled;
      return this;
    }

    /**
     * Exchanges in flight before the proxy answers overloaded; default {@value
     * #DEFAULT_MAX_CONCURRENT_EXCHANGES}.
     */
    public Builder maxConcurrentExchanges(int exchanges) {
      requireUnset(maxConcurrentExchanges, "maxConcurrentExchanges");
      if (exchanges < 1) {
        throw new IllegalArgumentException("maxConcurrentExchanges must be positive");
      }
      this.maxConcurrentExchanges = exchanges;
      return this;
    }

    /**
     * How long {@link LlmProxy#close()} lets exchanges in flight finish before it cancels them;
     * default 30 seconds. {@link Duration#ZERO} cancels them at once.
     */
    public Builder shutdownDrain(Duration drain) {
      requireUnset(shutdownDrain, "shutdownDrain");
      if (drain.isNegative()) {
        throw new IllegalArgumentException("shutdownDrain must not be negative");
      }
      this.shutdownDrain = drain;
      return this;
    }

    /**
     * How often the proxy calls the ledger's {@link BudgetLedger#heartbeat}, which renews this
     * instance's lease on its holds and reclaims those of instances that died; default 10 seconds.
     * Keep it a fraction of the ledger's lease.
     */
    public Builder ledgerHeartbeat(Duration interval) {
      requireUnset(ledgerHeartbeat, "ledgerHeartbeat");
      if (interval.toMillis() <= 0) {
        throw new IllegalArgumentException("ledgerHeartbeat must be positive");
      }
      this.ledgerHeartbeat = interval;
      return this;
    }

    /**
     * The zone whose midnights start daily, weekly and monthly {@linkplain
     * dev.llmproxy.api.BudgetPeriod budget periods}; default UTC.
     */
    public Builder budgetZone(java.time.ZoneId zone) {
      requireUnset(budgetZone, "budgetZone");
      this.budgetZone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /** Prices for metering and spend reservations; default {@link PriceTable#defaults()}. */
    public Builder prices(PriceTable prices) {
      requireUnset(this.prices, "prices");
      this.prices = Objects.requireNonNull(prices, "prices");
      return this;
    }

    /**
     * The tiers principals may belong to, with their request rates and the models each may use;
     * default {@link Tiers#defaults()}. A principal whose tier is not listed is refused (403 {@code
     * tier_denied}): declare your own tiers here. The proxy hands each principal's rate to the
     * ledger, so tiers are configured only here.
     */
    public Builder tiers(Tiers tiers) {
      requireUnset(this.tiers, "tiers");
      this.tiers = Objects.requireNonNull(tiers, "tiers");
      return this;
    }

    /**
     * Output tokens assumed when a generation names no {@code max_tokens}; default {@value
     * #DEFAULT_MAX_OUTPUT_TOKENS}.
     */
    public Builder defaultMaxOutputTokens(long tokens) {
      requireUnset(defaultMaxOutputTokens, "defaultMaxOutputTokens");
      if (tokens < 0) {
        throw new IllegalArgumentException("defaultMaxOutputTokens must not be negative");
      }
      this.defaultMaxOutputTokens = tokens;
      return this;
    }

    /**
     * The clock for timestamps, expiry and rate windows, also handed to the ledger; default the UTC
     * system clock.
     */
    public Builder clock(Clock clock) {
      requireUnset(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * A new proxy from these settings.
     *
     * @throws IllegalStateException if the token resolver or the credential store is missing
     */
    public LlmProxy build() {
      requireSet(tokenResolver, "tokenResolver");
      requireSet(credentialStore, "credentialStore");
      return new LlmProxy(this);
    }

    private static void requireUnset(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    private static void requireSet(Object value, String name) {
      if (value == null) {
        throw new IllegalStateException(
            name + " is required: call LlmProxy.builder()." + name + "(…) before build()");
      }
    }
  }
}
