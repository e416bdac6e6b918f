package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import java.util.List;

/**
 * One step of an exchange before its answer is relayed, in the shape of OkHttp's {@code
 * Interceptor}: a stage reads and adds to the {@linkplain Chain#state() state}, then hands over
 * with {@link Chain#proceed()} and returns what the rest of the chain returned. The last stage
 * sends the request upstream and returns the upstream's response, which the exchange then relays.
 *
 * <p>A stage may refuse the exchange by throwing a {@link ProxyError}; the exchange answers it in
 * the provider's envelope and settles. A stage may also wrap the rest of the chain: run code after
 * {@code proceed()} returns (timings), or call it again (failover to another upstream) as long as
 * no byte has reached the client, which holds until the chain returns.
 */
@FunctionalInterface
interface Stage {
  UpstreamResponse process(Chain chain) throws ProxyError;

  /** The stage's name in observations, e.g. {@code authenticate}. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** The rest of the chain, from one stage's point of view. */
  interface Chain {
    /** The exchange so far. */
    ExchangeState state();

    /** Runs the next stage and returns the upstream's response. */
    UpstreamResponse proceed() throws ProxyError;
  }

  /** Runs {@code stages} in order over {@code state}. */
  static UpstreamResponse run(List<Stage> stages, ExchangeState state) throws ProxyError {
    return new Link(stages, 0, state).proceed();
  }

  /** The chain from stage {@code index} on. */
  record Link(List<Stage> stages, int index, ExchangeState state) implements Chain {
    @Override
    public UpstreamResponse proceed() throws ProxyError {
      if (index >= stages.size()) {
        throw new IllegalStateException("the last stage must answer, not proceed");
      }
      Stage stage = stages.get(index);
      state.observation.stage(stage.name());
      return stage.process(new Link(stages, index + 1, state));
    }
  }
}
