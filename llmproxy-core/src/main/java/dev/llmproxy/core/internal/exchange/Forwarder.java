package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.provider.Route;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forward stage, last in the chain: the provider's profile builds the upstream request (the
 * client's allowed headers, the credential, the body as received), the {@link UpstreamClient} sends
 * it, and the response comes back up the chain once its status line and headers have arrived. A
 * client that leaves or a proxy that closes meanwhile cancels the call.
 */
final class Forwarder implements Stage {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  private final UpstreamClient client;
  private final boolean async;

  /**
   * Forwards with {@code client}; {@code async} waits for the headers without a thread ({@link
   * UpstreamCall#executeAsync}), else on this one ({@link UpstreamCall#execute}), as a relay that
   * blocks needs: its continuation must not run on the upstream client's thread.
   */
  Forwarder(UpstreamClient client, boolean async) {
    this.client = client;
    this.async = async;
  }

  @Override
  public String name() {
    return "forward";
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    Route route = x.route;
    UpstreamRequest request =
        new UpstreamRequest(
            x.io.method(),
            route.upstreamUrl(x.baseUrl, x.io.rawQuery()),
            route.profile().upstreamHeaders(x.io.requestHeaders(), x.credential),
            route.profile().prepareBody(route.upstreamPath(), x.peek, x.body));
    UpstreamCall call;
    try {
      call = client.newCall(request);
    } catch (IllegalArgumentException e) {
      // The message may quote a header value, i.e. a credential: log the type only.
      log.error("Upstream request for {} could not be built: {}", route.provider(), e.getClass());
      throw ProxyError.internal("The proxy could not build the upstream request.");
    }
    x.attach(call);
    x.io.waitingForUpstream();
    long sent = System.nanoTime();
    CompletableFuture<UpstreamResponse> answer;
    if (async) {
      answer = call.executeAsync().toCompletableFuture();
    } else {
      try {
        answer = CompletableFuture.completedFuture(call.execute());
      } catch (IOException e) {
        answer = CompletableFuture.failedFuture(e);
      }
    }
    return answer.handle(
        (response, failure) -> {
          x.upstreamWaited(System.nanoTime() - sent);
          if (failure == null) {
            x.responded = true;
            x.event.timeToFirstByte(x.elapsed());
            return response;
          }
          throw new CompletionException(refusal(x, Stage.cause(failure)));
        });
  }

  /**
   * The refusal for a call that failed: the client left, or the upstream could not be reached (an
   * {@link IOException}); anything else is the client's own failure, left as it is (a 500).
   */
  private static Throwable refusal(ExchangeState x, Throwable failure) {
    if (x.isClientGone()) {
      return ProxyError.clientCancelled();
    }
    if (!(failure instanceof IOException)) {
      return failure;
    }
    log.warn("Upstream {} unreachable: {}", x.route.provider(), failure.toString());
    return ProxyError.upstreamUnreachable();
  }
}
