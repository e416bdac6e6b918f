package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.CredentialUnreadableException;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.pool.Pool;
import dev.llmproxy.core.internal.provider.ProviderProfile;
import dev.llmproxy.core.internal.provider.Route;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credential stage: the upstream credential for a principal's request, or why there is none —
 * 403 with a hint when no key is configured or a subscription token expired, 500 when a stored key
 * cannot be decrypted, 503 when the store is down (fail closed). An upstream that takes no key gets
 * a placeholder that is never sent. When the store has no credential for the caller and a pool
 * serves the provider, the pool does: the {@link Failover} stage picks a member for each try.
 */
final class CredentialResolver implements Stage {
  private static final Logger log = LoggerFactory.getLogger(CredentialResolver.class);

  /** Stands in for the credential of an upstream that takes none; never sent. */
  private static final UpstreamCredential NONE =
      new UpstreamCredential.ApiKey(Secret.of("none"), "none");

  private final CredentialStore store;
  private final Map<ProviderId, Pool> pools;
  private final Clock clock;

  CredentialResolver(CredentialStore store, Map<ProviderId, Pool> pools, Clock clock) {
    this.store = store;
    this.pools = Map.copyOf(pools);
    this.clock = clock;
  }

  @Override
  public String name() {
    return "credential";
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    x.credential = resolve(x.principal, x.route);
    if (x.credential == null) {
      x.pool = pools.get(x.route.profile().id()); // the failover stage picks each try's member
    } else {
      x.event.credentialSource(x.credential.source());
    }
    return chain.proceed();
  }

  /** The store's credential; {@code null} when it has none but a pool serves the provider. */
  UpstreamCredential resolve(Principal principal, Route route) throws ProxyError {
    ProviderProfile profile = route.profile();
    if (!profile.requiresCredential()) {
      return NONE;
    }
    try {
      Optional<UpstreamCredential> found = store.find(principal, profile.id());
      if (found.isEmpty() && pools.containsKey(profile.id())) {
        return null;
      }
      UpstreamCredential credential =
          found.orElseThrow(() -> ProxyError.forbidden(profile.missingCredentialHint()));
      if (credential instanceof UpstreamCredential.OAuthToken oauth
          && oauth.isExpiredAt(clock.instant())) {
        throw ProxyError.forbidden(
            "The configured subscription credential has expired. "
                + profile.missingCredentialHint());
      }
      return credential;
    } catch (StoreUnavailableException e) {
      log.warn("Credential store unavailable: {}", e.getMessage());
      throw ProxyError.unavailable("The proxy cannot load upstream credentials right now.");
    } catch (CredentialUnreadableException e) {
      log.error("Stored upstream credential is unreadable: {}", e.getMessage());
      throw ProxyError.internal("Your stored upstream key cannot be read. Save it again.");
    }
  }
}
