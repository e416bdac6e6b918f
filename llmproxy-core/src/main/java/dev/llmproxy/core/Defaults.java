package dev.llmproxy.core;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.core.internal.exchange.Engine;
import dev.llmproxy.core.internal.provider.Providers;
import java.time.Clock;
import java.util.List;

/** Every default of {@link LlmProxy.Builder}, applied in one place. */
final class Defaults {
  private Defaults() {}

  /** The engine's configuration: what the builder was given, defaults for the rest. */
  static Engine.Config apply(LlmProxy.Builder b, UpstreamClient upstream) {
    return new Engine.Config(
        Providers.router(
            b.anthropic != null ? b.anthropic : AnthropicSettings.defaults(),
            b.openAi != null ? b.openAi : OpenAiSettings.defaults(),
            b.compatibleUpstreams),
        b.tokenResolver,
        b.credentialStore,
        b.budgetLedger != null ? b.budgetLedger : BudgetLedger.unlimited(),
        upstream,
        b.listeners,
        b.observers,
        b.clock != null ? b.clock : Clock.systemUTC(),
        b.budgetZone != null ? b.budgetZone : java.time.ZoneOffset.UTC,
        b.prices != null ? b.prices : PriceTable.defaults(),
        b.tiers != null ? b.tiers : Tiers.defaults(),
        b.maxRequestBodyBytes != null
            ? b.maxRequestBodyBytes
            : LlmProxy.DEFAULT_MAX_REQUEST_BODY_BYTES,
        b.defaultMaxOutputTokens != null
            ? b.defaultMaxOutputTokens
            : LlmProxy.DEFAULT_MAX_OUTPUT_TOKENS,
        b.executor, // null: the engine's own pool
        b.maxConcurrentExchanges != null
            ? b.maxConcurrentExchanges
            : LlmProxy.DEFAULT_MAX_CONCURRENT_EXCHANGES,
        b.shutdownDrain != null ? b.shutdownDrain : LlmProxy.DEFAULT_SHUTDOWN_DRAIN,
        b.ledgerHeartbeat != null ? b.ledgerHeartbeat : LlmProxy.DEFAULT_LEDGER_HEARTBEAT,
        List.copyOf(b.pools.values()),
        b.nonBlockingRelay != null && b.nonBlockingRelay);
  }
}
