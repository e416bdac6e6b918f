package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.provider.ModelAliases;
import dev.llmproxy.core.internal.provider.RequestPeek;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The alias stage, right after the body is read: a request naming a pool's model alias is rewritten
 * to the real model (the body's top-level {@code model} only, every other byte kept), so the model
 * rules, the price and the ledger see the real model; the event records the alias.
 */
final class Aliaser implements Stage {
  private final Map<ProviderId, ModelAliases> aliases;

  @Override
  public String name() {
    return "alias";
  }

  Aliaser(Map<ProviderId, ModelAliases> aliases) {
    this.aliases = Map.copyOf(aliases);
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    ModelAliases pool = aliases.get(x.route.profile().id());
    String real = pool == null || !x.peek.json() ? null : pool.resolve(x.peek.model());
    if (real != null) {
      x.event.modelAlias(x.peek.model()).model(real);
      x.body = pool.rewrite(x.body);
      x.peek = new RequestPeek(real, x.peek.stream(), x.peek.maxTokens(), true, x.peek.choices());
    }
    return chain.proceed();
  }
}
