package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.api.UpstreamRequest;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.provider.Route;
import java.io.IOException;
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

  Forwarder(UpstreamClient client) {
    this.client = client;
  }

  @Override
  public String name() {
    return "forward";
  }

  @Override
  public UpstreamResponse process(Chain chain) throws ProxyError {
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
    try {
      UpstreamResponse response = call.execute();
      x.upstreamWaited(System.nanoTime() - sent);
      x.responded = true;
      x.event.timeToFirstByte(x.elapsed());
      return response;
    } catch (IOException e) {
      x.upstreamWaited(System.nanoTime() - sent);
      if (x.isClientGone()) {
        throw ProxyError.clientCancelled();
      }
      log.warn("Upstream {} unreachable: {}", route.provider(), e.toString());
      throw ProxyError.upstreamUnreachable();
    }
  }
}
