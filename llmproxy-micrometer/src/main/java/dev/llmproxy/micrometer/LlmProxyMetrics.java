package dev.llmproxy.micrometer;

import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.ExchangeStart;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records llmproxy's exchanges in a Micrometer {@link MeterRegistry}, named after OpenTelemetry's
 * GenAI semantic conventions where they have a name ({@code gen_ai.client.operation.duration},
 * {@code gen_ai.client.token.usage}) and under {@code llmproxy.} otherwise. Register it as an
 * observer:
 *
 * <pre>{@code
 * LlmProxy.builder()...addObserver(LlmProxyMetrics.create(registry)).build();
 * }</pre>
 *
 * <p>Tags never name a user, a token or a team, and their values are bounded: providers other than
 * those {@linkplain Builder#provider declared} and models beyond the first {@linkplain
 * Builder#maxModels few} seen are tagged {@code other}. The meters and their tags are listed in
 * {@code docs/observability.md}.
 */
public final class LlmProxyMetrics implements ExchangeObserver {
  /** Exchanges by provider, operation, model, outcome and status: a timer of their latency. */
  public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";

  /** Tokens by provider, operation, model and {@code gen_ai.token.type}. */
  public static final String TOKEN_USAGE = "gen_ai.client.token.usage";

  /** US dollars spent, by provider and model. */
  public static final String COST = "llmproxy.cost";

  /** From the exchange's start until the upstream's response headers arrived. */
  public static final String TIME_TO_FIRST_BYTE = "llmproxy.time_to_first_byte";

  /** The proxy's own time, the upstream's excluded ({@link ProxyEvent#overhead()}). */
  public static final String OVERHEAD = "llmproxy.overhead";

  /** Exchanges started and not yet ended. */
  public static final String ACTIVE = "llmproxy.exchanges.active";

  /**
   * Requests the ledger refused, by {@code reason}: {@code rate_limited}, {@code quota_exceeded}.
   */
  public static final String LEDGER_DENIALS = "llmproxy.ledger.denials";

  /**
   * Upstream failures by {@code kind}: {@code unreachable}, {@code response_4xx}, {@code
   * response_5xx}, {@code broken_stream}.
   */
  public static final String UPSTREAM_ERRORS = "llmproxy.upstream.errors";

  /**
   * The proxy's own failures by {@code kind}: {@code overloaded}, {@code unavailable} (a store or
   * ledger down), {@code internal}.
   */
  public static final String PROXY_ERRORS = "llmproxy.proxy.errors";

  static final String SYSTEM = "gen_ai.system";
  static final String OPERATION = "gen_ai.operation.name";
  static final String MODEL = "gen_ai.request.model";
  static final String TOKEN_TYPE = "gen_ai.token.type";

  private final MeterRegistry registry;
  private final Set<String> providers;
  private final BoundedValues models;
  private final AtomicInteger active = new AtomicInteger();

  private LlmProxyMetrics(Builder builder) {
    this.registry = builder.registry;
    this.providers = Set.copyOf(builder.providers);
    this.models = new BoundedValues(builder.maxModels);
    Gauge.builder(ACTIVE, active, AtomicInteger::get)
        .description("Exchanges started and not yet ended")
        .strongReference(true)
        .register(registry);
  }

  /** Metrics in {@code registry} with the defaults: providers anthropic and openai, 100 models. */
  public static LlmProxyMetrics create(MeterRegistry registry) {
    return builder(registry).build();
  }

  /** A builder of metrics recorded in {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  @Override
  public Observation start(ExchangeStart start) {
    active.incrementAndGet();
    return this::ended;
  }

  private void ended(ProxyEvent event) {
    active.decrementAndGet();
    String system = event.provider().filter(providers::contains).orElse(OTHER);
    String model = models.of(event.model().orElse(null));
    Tags tags = Tags.of(SYSTEM, system, OPERATION, Operations.of(event.path()), MODEL, model);

    Timer.builder(OPERATION_DURATION)
        .description("Exchanges through the proxy, from their start to their last byte")
        .tags(tags)
        .tag("outcome", event.outcome().wireName())
        .tag("status", Integer.toString(event.status()))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry)
        .record(event.latency());
    event
        .timeToFirstByte()
        .ifPresent(
            ttfb ->
                Timer.builder(TIME_TO_FIRST_BYTE)
                    .description("From an exchange's start until the upstream's headers arrived")
                    .tags(Tags.of(SYSTEM, system, MODEL, model))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry)
                    .record(ttfb));
    Timer.builder(OVERHEAD)
        .description("The proxy's own time in an exchange, the upstream's excluded")
        .tags(Tags.of(SYSTEM, system, "outcome", event.outcome().wireName()))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry)
        .record(event.overhead());

    Usage usage = event.usage();
    tokens(tags, "input", usage.inputTokens());
    tokens(tags, "output", usage.outputTokens());
    tokens(tags, "cache_read", usage.cacheReadInputTokens());
    tokens(tags, "cache_creation", usage.cacheCreationInputTokens());
    if (event.costNanoUsd() != 0) {
      Counter.builder(COST)
          .description("US dollars spent upstream, as the proxy priced the reported usage")
          .baseUnit("usd")
          .tags(Tags.of(SYSTEM, system, MODEL, model))
          .register(registry)
          .increment(event.costNanoUsd() / 1e9);
    }

    Outcome outcome = event.outcome();
    if (outcome == Outcome.RATE_LIMITED || outcome == Outcome.QUOTA_EXCEEDED) {
      Counter.builder(LEDGER_DENIALS)
          .description("Requests the budget ledger refused, by reason")
          .tags(Tags.of(SYSTEM, system, "reason", outcome.wireName()))
          .register(registry)
          .increment();
    } else if (outcome == Outcome.UPSTREAM_ERROR) {
      errorKind(event, system);
    }
  }

  private void tokens(Tags tags, String type, long count) {
    if (count > 0) {
      DistributionSummary.builder(TOKEN_USAGE)
          .description("Tokens the upstream reported per exchange, by type")
          .baseUnit("tokens")
          .tags(tags)
          .tag(TOKEN_TYPE, type)
          .publishPercentileHistogram()
          .minimumExpectedValue(1.0)
          .maximumExpectedValue(4_000_000.0)
          .register(registry)
          .record(count);
    }
  }

  private void errorKind(ProxyEvent event, String system) {
    int status = event.status();
    String name;
    String kind;
    if (event.timeToFirstByte().isPresent()) { // the upstream answered
      name = UPSTREAM_ERRORS;
      kind = status >= 500 ? "response_5xx" : status >= 400 ? "response_4xx" : "broken_stream";
    } else if (status == 502) {
      name = UPSTREAM_ERRORS;
      kind = "unreachable";
    } else {
      name = PROXY_ERRORS;
      kind =
          status == 529 || status == 503
              ? (status == 529 ? "overloaded" : "unavailable")
              : "internal";
    }
    Counter.builder(name)
        .description(
            name.equals(UPSTREAM_ERRORS)
                ? "Upstream failures, by kind"
                : "Failures of the proxy or its stores, by kind")
        .tags(Tags.of(SYSTEM, system, "kind", kind))
        .register(registry)
        .increment();
  }

  static final String OTHER = "other";

  /** Configures {@link LlmProxyMetrics}. */
  public static final class Builder {
    private final MeterRegistry registry;
    private final Set<String> providers = new LinkedHashSet<>(List.of("anthropic", "openai"));
    private int maxModels = 100;

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Adds a provider whose name may appear in {@code gen_ai.system}, e.g. an OpenAI-compatible
     * upstream's; others are tagged {@code other}, since a caller may request any name.
     */
    public Builder provider(String name) {
      providers.add(Objects.requireNonNull(name, "name"));
      return this;
    }

    /**
     * How many distinct models {@code gen_ai.request.model} may name (100 by default); later ones
     * are tagged {@code other}, since a caller may send any model name.
     */
    public Builder maxModels(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxModels must not be negative: " + max);
      }
      this.maxModels = max;
      return this;
    }

    public LlmProxyMetrics build() {
      return new LlmProxyMetrics(this);
    }
  }
}
