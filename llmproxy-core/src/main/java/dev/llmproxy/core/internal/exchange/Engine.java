package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyListener;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.core.ErrorResponse;
import dev.llmproxy.core.PriceTable;
import dev.llmproxy.core.ProxyExchange;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.core.internal.http.BodyReader;
import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.pool.Pool;
import dev.llmproxy.core.internal.provider.ModelAliases;
import dev.llmproxy.core.internal.provider.ProviderProfile;
import dev.llmproxy.core.internal.provider.Router;
import dev.llmproxy.core.pools.UpstreamPool;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The engine behind {@link dev.llmproxy.core.LlmProxy}: the stages every exchange runs through, in
 * order, and what answers and settles it. A new concern is a new {@link Stage} in {@link #stages}
 * (a failover stage just before the credential stage, a timing stage first), not an edit of the
 * others.
 */
public final class Engine {
  /**
   * Everything the engine is built from, resolved by {@code LlmProxy.Builder} (defaults applied).
   *
   * @param executor runs the exchanges; {@code null} for the engine's own pool
   */
  public record Config(
      Router router,
      TokenResolver tokenResolver,
      CredentialStore credentialStore,
      BudgetLedger ledger,
      UpstreamClient upstream,
      List<ProxyListener> listeners,
      List<ExchangeObserver> observers,
      Clock clock,
      ZoneId budgetZone,
      PriceTable prices,
      Tiers tiers,
      long maxRequestBodyBytes,
      long defaultMaxOutputTokens,
      Executor executor,
      int maxConcurrentExchanges,
      Duration shutdownDrain,
      Duration ledgerHeartbeat,
      List<UpstreamPool> pools,
      boolean nonBlockingRelay) {}

  private final Router router;
  private final java.util.concurrent.ExecutorService blockingWork = ExchangeExecutors.create();
  private final Clock clock;
  private final List<Stage> stages;
  private final Relay relay;
  private final ErrorWriter errors;
  private final Settlement settlement;
  private final Observers observers;
  private final ExchangeRunner runner;
  private final Duration shutdownDrain;
  private final HoldKeeper holdKeeper;
  private final List<Pool> pools;

  public Engine(Config config) {
    this.router = config.router();
    this.clock = config.clock();
    Budget budget =
        new Budget(
            config.ledger(),
            config.tiers(),
            config.clock(),
            config.budgetZone(),
            config.prices(),
            config.defaultMaxOutputTokens());
    Map<ProviderId, Pool> pools = new LinkedHashMap<>();
    Map<ProviderId, ModelAliases> aliases = new HashMap<>();
    for (UpstreamPool pool : config.pools()) {
      pools.put(pool.provider(), new Pool(pool, config.clock()));
      if (!pool.aliases().isEmpty()) {
        aliases.put(pool.provider(), new ModelAliases(pool.aliases()));
      }
    }
    this.pools = List.copyOf(pools.values());
    this.stages =
        List.of(
            new Authenticator(config.tokenResolver()),
            new RouteGuard(),
            new RequestReader(
                new BodyReader(config.maxRequestBodyBytes()), config.nonBlockingRelay()),
            new Aliaser(aliases),
            new Authorizer(config.tiers()),
            budget,
            new CredentialResolver(config.credentialStore(), pools, config.clock()),
            new Failover(config.clock(), config.nonBlockingRelay(), blockingWork),
            new Forwarder(config.upstream(), config.nonBlockingRelay()));
    this.relay = new Relay(budget, config.nonBlockingRelay());
    this.errors = new ErrorWriter(budget);
    Listeners listeners = new Listeners(config.listeners());
    this.settlement = new Settlement(budget, listeners);
    this.observers = new Observers(config.observers());
    // Without a relay that blocks, nothing holds a thread for long: run the stages on the caller's
    // (the container's) thread, without a hand-over, unless the host chose an executor.
    Executor executor =
        config.executor() == null && config.nonBlockingRelay() ? Runnable::run : config.executor();
    this.runner = new ExchangeRunner(executor, config.maxConcurrentExchanges());
    this.shutdownDrain = config.shutdownDrain();
    this.holdKeeper =
        new HoldKeeper(
            config.ledger(), budget, config.clock(), listeners, config.ledgerHeartbeat());
  }

  /** Starts {@code io} on the executor and returns at once; it is always answered and settled. */
  public void handle(ProxyExchange io) {
    runner.run(
        new Exchange(this, new ExchangeState(io, router.resolve(io.path()), clock.instant())));
  }

  /** An error the container raised for {@code path}, in the envelope of the provider it names. */
  public ErrorResponse containerError(String path, int status, String message) {
    ProviderProfile profile = router.resolve(path).profile();
    return new ErrorResponse(
        status,
        ResponseHeaders.ERROR_CONTENT_TYPE,
        profile.errorBody(ErrorType.forStatus(status), message));
  }

  /**
   * Rejects later exchanges, lets the running ones finish within the shutdown drain, then cancels
   * and settles the rest; then stops the ledger's heartbeat.
   */
  public void close() {
    try {
      runner.close(shutdownDrain);
    } finally {
      try {
        holdKeeper.close();
      } finally {
        blockingWork.shutdown();
      }
    }
  }

  /**
   * Each pool's members and their state now ({@code org-a: ready, in flight 2}), by provider; never
   * a credential.
   */
  /** Every pool member's state now, pool by pool. */
  public List<dev.llmproxy.core.pools.MemberState> poolMembers() {
    List<dev.llmproxy.core.pools.MemberState> states = new java.util.ArrayList<>();
    for (Pool pool : pools) {
      states.addAll(pool.states());
    }
    return states;
  }

  public Map<String, List<String>> poolStates() {
    Map<String, List<String>> states = new LinkedHashMap<>();
    for (Pool pool : pools) {
      states.put(pool.config().provider().value(), pool.describe());
    }
    return states;
  }

  List<Stage> stages() {
    return stages;
  }

  /**
   * Where the non-blocking relay's fallbacks run when they must block: copying a body that offers
   * no non-blocking read, from the upstream client's thread (which the copy would wait on forever).
   * Threads are made only when needed.
   */
  Executor blockingWork() {
    return blockingWork;
  }

  Relay relay() {
    return relay;
  }

  ErrorWriter errors() {
    return errors;
  }

  Settlement settlement() {
    return settlement;
  }

  Observers observers() {
    return observers;
  }
}
