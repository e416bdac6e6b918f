package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import java.util.concurrent.CompletableFuture;
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
   * Runs the exchange's stages on this thread, up to the request going upstream; the rest runs here
   * too, or later on the threads of a non-blocking upstream client and container. Runs {@code
   * onSettled} once the exchange is settled, wherever that is.
   */
  void run(Runnable onSettled) {
    state.starting();
    CompletableFuture<UpstreamResponse> answer;
    try {
      state.observation = engine.observers().start(state);
      state.io.onClientGone(state::clientGone);
      answer = Stage.run(engine.stages(), state);
    } catch (Throwable e) { // an Error too: the exchange must still be answered and settled
      answer = CompletableFuture.failedFuture(e);
    }
    try {
      answer.whenComplete((response, failure) -> respond(response, failure, onSettled));
    } finally {
      state.left();
      state.observation.detach();
    }
  }

  /** Relays the answer, or the refusal, and settles; now or, for a relay that waits, later. */
  private void respond(UpstreamResponse response, Throwable failure, Runnable onSettled) {
    if (failure == null
        && !state.isStarting() // the upstream client's thread
        && engine.relay().wouldBlock(state, response)) {
      try {
        engine.blockingWork().execute(() -> relay(response, null, onSettled));
        return;
      } catch (RuntimeException e) { // shut down: the proxy is closing; relay here, it is cut soon
        log.debug("Relaying on the upstream client's thread: {}", e.toString());
      }
    }
    relay(response, failure, onSettled);
  }

  private void relay(UpstreamResponse response, Throwable failure, Runnable onSettled) {
    StreamPump pump = null;
    try {
      if (failure == null) {
        state.observation.stage("respond");
        pump = engine.relay().relay(state, response);
      } else {
        fail(Stage.cause(failure));
      }
    } catch (Throwable e) { // an Error too: the exchange must still be answered and settled
      fail(e);
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
      pump.start(engine.settlement(), onSettled); // no thread is held from here on
    }
  }

  private void fail(Throwable failure) {
    if (failure instanceof ProxyError refusal) {
      engine.errors().fail(state, refusal);
      return;
    }
    log.error("Exchange failed unexpectedly: {} {}", state.io.method(), state.io.path(), failure);
    engine.errors().fail(state, ProxyError.internal("The proxy failed to handle this request."));
  }

  /** Answers at once, without running the stages: the proxy is at its concurrency limit. */
  void rejectOverloaded() {
    try {
      state.observation = engine.observers().start(state);
      engine.errors().fail(state, ProxyError.overloaded(state.route.profile().overloadedStatus()));
    } finally {
      try {
        engine.settlement().settle(state);
      } finally {
        state.observation.detach();
      }
    }
  }

  /** Cancels the upstream call from another thread: the proxy is closing. */
  void stop() {
    state.stop();
  }
}
