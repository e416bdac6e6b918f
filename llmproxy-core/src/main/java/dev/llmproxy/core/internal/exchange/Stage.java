package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One step of an exchange before its answer is relayed, in the shape of OkHttp's {@code
 * Interceptor}: a stage reads and adds to the {@linkplain Chain#state() state}, then hands over
 * with {@link Chain#proceed()} and returns what the rest of the chain returned. The last stage
 * sends the request upstream and returns the upstream's response, which the exchange then relays.
 *
 * <p>The response is a future: it completes once the upstream's headers have arrived, on the
 * upstream client's thread when that client does not block, so no thread waits for an upstream to
 * think. Every stage but read-body, failover and forward runs before its {@code proceed()} and
 * returns what it returned; read-body may proceed later, once a body read without blocking has
 * arrived, on the thread that read its end.
 *
 * <p>A stage may refuse the exchange by throwing a {@link ProxyError} (or completing the future
 * with one); the exchange answers it in the provider's envelope and settles. A stage may also call
 * the rest of the chain again (failover to another upstream) as long as no byte has reached the
 * client, which holds until the future completes.
 */
@FunctionalInterface
interface Stage {
  CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError;

  /** The stage's name in observations, e.g. {@code authenticate}. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** The rest of the chain, from one stage's point of view. */
  interface Chain {
    /** The exchange so far. */
    ExchangeState state();

    /** Runs the next stage; the upstream's response once its headers arrived. */
    CompletableFuture<UpstreamResponse> proceed() throws ProxyError;
  }

  /** Runs {@code stages} in order over {@code state}; a refusal completes the future with it. */
  static CompletableFuture<UpstreamResponse> run(List<Stage> stages, ExchangeState state) {
    try {
      return new Link(stages, 0, state).proceed();
    } catch (ProxyError e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** What failed a stage's future: the {@link ProxyError} or other cause, not its wrapper. */
  static Throwable cause(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The chain from stage {@code index} on. */
  record Link(List<Stage> stages, int index, ExchangeState state) implements Chain {
    @Override
    public CompletableFuture<UpstreamResponse> proceed() throws ProxyError {
      if (index >= stages.size()) {
        throw new IllegalStateException("the last stage must answer, not proceed");
      }
      Stage stage = stages.get(index);
      state.observation.stage(stage.name());
      return stage.process(new Link(stages, index + 1, state));
    }
  }
}
