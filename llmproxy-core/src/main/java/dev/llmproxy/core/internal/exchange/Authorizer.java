package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Scopes;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.provider.EndpointScopes;
import dev.llmproxy.core.internal.provider.RequestPeek;
import dev.llmproxy.core.internal.provider.Route;
import java.util.concurrent.CompletableFuture;

/**
 * The authorize stage: the endpoint's scope, the token's own provider and model limits (403, {@code
 * forbidden}), then its tier's models (403, {@code tier_denied}), before any budget is touched. A
 * principal whose tier is not configured is refused.
 */
final class Authorizer implements Stage {
  private final Tiers tiers;

  Authorizer(Tiers tiers) {
    this.tiers = tiers;
  }

  @Override
  public String name() {
    return "authorize";
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    authorize(x.principal, x.route, x.peek, x.body.length);
    return chain.proceed();
  }

  /** Checks the request against the principal's limits and tier. */
  void authorize(Principal principal, Route route, RequestPeek peek, int bodyBytes)
      throws ProxyError {
    String scope = EndpointScopes.of(route.upstreamPath());
    if (!Scopes.grants(principal.scopes(), scope)) {
      throw ProxyError.forbidden(
          Scopes.ALL.equals(scope)
              ? "This token's scopes "
                  + principal.scopes()
                  + " do not reach this endpoint: it needs"
                  + " the '*' scope."
              : "This token lacks the '" + scope + "' scope this endpoint needs.");
    }
    if (!principal.limits().allowsProvider(route.profile().id())) {
      throw ProxyError.forbidden("This token may not use provider " + route.profile().id() + ".");
    }
    if (!principal.limits().allowsModel(peek.model())) {
      throw ProxyError.forbidden("This token may not use model " + peek.model() + ".");
    }
    Tiers.Tier tier =
        tiers
            .tier(principal.tier())
            .orElseThrow(() -> ProxyError.tierDenied("Your tier is not configured on this proxy."));
    if (!tier.allowsModel(peek.model())) {
      throw ProxyError.tierDenied(
          "Model " + peek.model() + " is not available in the " + tier.name() + " tier.");
    }
    boolean restricted =
        !principal.limits().models().isEmpty()
            || !tier.models().isEmpty()
            || principal.limits().maxSpendNanoUsd().isPresent();
    if (restricted && peek.json() && peek.model() == null) {
      // e.g. a batch: its cost and models cannot be checked or metered here
      throw ProxyError.forbidden(
          "This token has model or spend limits, so requests must name a top-level model.");
    }
    if (restricted && !peek.json() && bodyBytes > 0) {
      // A body the peek did not read (not declared JSON) could still be JSON to the upstream,
      // naming a model these limits forbid.
      throw ProxyError.forbidden(
          "This token has model or spend limits, so request bodies must be JSON"
              + " (Content-Type: application/json) naming a top-level model.");
    }
  }
}
