package dev.llmproxy.api;

import java.util.Optional;

/**
 * Finds the upstream credential to use for a principal's request to a provider: the user's own key,
 * a shared organisation key, a subscription token, or none.
 *
 * <p>Implementations must be thread-safe. Throw {@link StoreUnavailableException} when the store
 * cannot answer (503), {@link CredentialUnreadableException} when a stored credential exists but
 * cannot be decrypted or parsed (500). Returning empty makes the engine answer 403 with a hint on
 * how to configure a key.
 */
@FunctionalInterface
public interface CredentialStore {
  /** The credential for {@code principal} at {@code provider}, if one is available. */
  Optional<UpstreamCredential> find(Principal principal, ProviderId provider);
}
