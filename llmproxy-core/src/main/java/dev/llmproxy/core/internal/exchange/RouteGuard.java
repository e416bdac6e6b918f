package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.provider.Route;
import java.util.concurrent.CompletableFuture;

/**
 * The route stage. The route is resolved once, when the exchange starts (its provider picks the
 * error envelope); this stage refuses it (404 unknown provider, 400 path traversal) after
 * authentication, so an authenticated caller's refusal still carries its rate-limit headers.
 */
final class RouteGuard implements Stage {
  @Override
  public String name() {
    return "route";
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    Route route = x.route.checked();
    x.event.path(route.upstreamPath().isEmpty() ? "/" : route.upstreamPath());
    return chain.proceed();
  }
}
