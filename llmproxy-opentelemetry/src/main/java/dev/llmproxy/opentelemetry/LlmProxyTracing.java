package dev.llmproxy.opentelemetry;

import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.ExchangeStart;
import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.Usage;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One OpenTelemetry span per exchange, with the attributes of OpenTelemetry's GenAI semantic
 * conventions ({@code gen_ai.system}, {@code gen_ai.operation.name}, {@code gen_ai.request.model},
 * {@code gen_ai.usage.*}) and the proxy's stages as span events. A caller's W3C {@code traceparent}
 * makes the span its child. Register it as an observer:
 *
 * <pre>{@code
 * LlmProxyTracing tracing = LlmProxyTracing.create(openTelemetry);
 * LlmProxy.builder()...addObserver(tracing).build();
 * }</pre>
 *
 * <p>To forward the trace context upstream too, give the proxy {@link #upstreamClient} around its
 * client: the upstream then sees the exchange's span as its parent.
 *
 * <p>Attributes hold what the {@link ProxyEvent} holds and nothing more: never a prompt, a
 * completion, a header or a credential, and no user or token id. The attributes are listed in
 * {@code docs/observability.md}.
 */
public final class LlmProxyTracing implements ExchangeObserver {
  /** The instrumentation scope's name. */
  public static final String INSTRUMENTATION = "dev.llmproxy";

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL =
      AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<java.util.List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> CACHE_READ_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  static final AttributeKey<Long> CACHE_CREATION_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("llmproxy.outcome");
  static final AttributeKey<Double> COST = AttributeKey.doubleKey("llmproxy.cost_usd");
  static final AttributeKey<Double> OVERHEAD = AttributeKey.doubleKey("llmproxy.overhead_ms");
  static final AttributeKey<Double> TTFB = AttributeKey.doubleKey("llmproxy.ttfb_ms");
  static final AttributeKey<Boolean> ESTIMATED = AttributeKey.booleanKey("llmproxy.cost_estimated");

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private final Tracer tracer;

  private LlmProxyTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
  }

  /** Spans through {@code openTelemetry}'s tracer provider. */
  public static LlmProxyTracing create(OpenTelemetry openTelemetry) {
    return new LlmProxyTracing(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /**
   * {@code client}, sending the current exchange's trace context upstream as {@code traceparent}
   * (and {@code tracestate}): give it to {@code LlmProxy.Builder.upstreamClient}. Without it the
   * upstream sees no trace context, since the proxy forwards no such header of the caller's.
   */
  public UpstreamClient upstreamClient(UpstreamClient client) {
    Objects.requireNonNull(client, "client");
    return request -> client.newCall(withTraceContext(request));
  }

  private static UpstreamRequest withTraceContext(UpstreamRequest request) {
    if (!Span.current().getSpanContext().isValid()) {
      return request;
    }
    Headers.Builder headers = request.headers().toBuilder();
    W3C.inject(Context.current(), headers, HeaderSetter.INSTANCE);
    return new UpstreamRequest(request.method(), request.url(), headers.build(), request.body());
  }

  @Override
  public Observation start(ExchangeStart start) {
    // From the root, not the thread's current context: the caller's trace or a new one.
    Context parent = W3C.extract(Context.root(), start.traceContext(), HeaderGetter.INSTANCE);
    Span span =
        tracer
            .spanBuilder("llmproxy " + start.method())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(METHOD, start.method())
            .startSpan();
    return new Traced(span);
  }

  /**
   * One exchange's span, current (for {@link #upstreamClient}) on each thread that runs its stages,
   * until the exchange leaves that thread; the span lives on until the end.
   */
  private static final class Traced implements Observation {
    private final Span span;
    private final Thread starter = Thread.currentThread();
    private Scope started; // only the starting thread touches it: it opened it and closes it
    private volatile Scope attached; // on the thread the stages went on to, if they did

    Traced(Span span) {
      this.span = span;
      this.started = span.makeCurrent();
    }

    @Override
    public void stage(String name) {
      span.addEvent(name);
    }

    @Override
    public void attach() {
      attached = span.makeCurrent();
    }

    @Override
    public void detach() {
      if (Thread.currentThread() == starter && started != null) {
        started.close();
        started = null;
        return;
      }
      Scope scope = attached;
      attached = null;
      if (scope != null) {
        scope.close();
      }
    }

    @Override
    public void end(ProxyEvent event) {
      try {
        String operation = Operations.of(event.path());
        span.setAttribute(OPERATION, operation);
        event.provider().ifPresent(provider -> span.setAttribute(SYSTEM, provider));
        event.model().ifPresent(model -> span.setAttribute(REQUEST_MODEL, model));
        event.responseModel().ifPresent(model -> span.setAttribute(RESPONSE_MODEL, model));
        event
            .finishReason()
            .ifPresent(reason -> span.setAttribute(FINISH_REASONS, java.util.List.of(reason)));
        span.updateName(event.model().map(model -> operation + " " + model).orElse(operation));
        span.setAttribute(PATH, event.path());
        span.setAttribute(STATUS, (long) event.status());
        span.setAttribute(OUTCOME, event.outcome().wireName());
        Usage usage = event.usage();
        if (!usage.equals(Usage.NONE)) {
          span.setAttribute(INPUT_TOKENS, usage.inputTokens());
          span.setAttribute(OUTPUT_TOKENS, usage.outputTokens());
          span.setAttribute(CACHE_READ_TOKENS, usage.cacheReadInputTokens());
          span.setAttribute(CACHE_CREATION_TOKENS, usage.cacheCreationInputTokens());
        }
        span.setAttribute(COST, event.costNanoUsd() / 1e9);
        span.setAttribute(ESTIMATED, event.costEstimated());
        span.setAttribute(OVERHEAD, event.overhead().toNanos() / 1e6);
        event.timeToFirstByte().ifPresent(ttfb -> span.setAttribute(TTFB, ttfb.toNanos() / 1e6));
        if (event.outcome() != Outcome.OK) {
          span.setStatus(StatusCode.ERROR, event.outcome().wireName());
        }
      } finally {
        span.end();
      }
    }
  }

  private enum HeaderGetter implements TextMapGetter<Headers> {
    INSTANCE;

    @Override
    public Iterable<String> keys(Headers carrier) {
      List<String> names = new ArrayList<>(carrier.size());
      for (int i = 0; i < carrier.size(); i++) {
        names.add(carrier.name(i));
      }
      return names;
    }

    @Override
    public String get(Headers carrier, String key) {
      return carrier == null ? null : carrier.first(key).orElse(null);
    }
  }

  private enum HeaderSetter implements TextMapSetter<Headers.Builder> {
    INSTANCE;

    @Override
    public void set(Headers.Builder carrier, String key, String value) {
      if (carrier != null) {
        carrier.set(key, value);
      }
    }
  }
}
