package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange, from the first stage to the settlement. Read top to bottom:
 *
 * <ol>
 *   <li>the {@linkplain Engine#stages() stages} run in order (authenticate, route, read body,
 *       authorize, reserve, credential, forward) and return the upstream's response;
 *   <li>the {@link Relay} streams it to the client;
 *   <li>a refusal by any stage is answered by the {@link ErrorWriter} in the provider's envelope;
 *   <li>whatever happened, the {@link Settlement} settles the hold, ends the response and publishes
 *       exactly one event.
 * </ol>
 *
 * <p>The container may report that the client left, and the proxy may stop the exchange when it
 * closes, from other threads: both cancel the upstream call through the {@link ExchangeState}.
 */
final class Exchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final Engine engine;
  private final ExchangeState state;

  Exchange(Engine engine, ExchangeState state) {
    this.engine = engine;
    this.state = state;
  }

  /**
   * Runs the exchange on this thread, then runs {@code onSettled} once it is settled: before this
   * returns, or later, from whatever thread a non-blocking relay ends on.
   */
  void run(Runnable onSettled) {
    StreamPump pump = null;
    try {
      state.observation = engine.observers().start(state);
      state.io.onClientGone(state::clientGone);
      UpstreamResponse response = Stage.run(engine.stages(), state);
      state.observation.stage("respond");
      pump = engine.relay().relay(state, response);
    } catch (ProxyError e) {
      engine.errors().fail(state, e);
    } catch (Throwable e) { // an Error too: the exchange must still be answered and settled
      log.error("Exchange failed unexpectedly: {} {}", state.io.method(), state.io.path(), e);
      engine.errors().fail(state, ProxyError.internal("The proxy failed to handle this request."));
    } finally {
      if (pump == null) {
        try {
          engine.settlement().settle(state);
        } finally {
          onSettled.run();
        }
      }
    }
    if (pump != null) {
      pump.start(engine.settlement(), onSettled); // this thread is free from here on
    }
  }

  /** Answers at once, without running the stages: the proxy is at its concurrency limit. */
  void rejectOverloaded() {
    try {
      state.observation = engine.observers().start(state);
      engine.errors().fail(state, ProxyError.overloaded(state.route.profile().overloadedStatus()));
    } finally {
      engine.settlement().settle(state);
    }
  }

  /** Cancels the upstream call from another thread: the proxy is closing. */
  void stop() {
    state.stop();
  }
}
