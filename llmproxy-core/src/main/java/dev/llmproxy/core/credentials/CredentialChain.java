package dev.llmproxy.core.credentials;

import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.UpstreamCredential;
import java.util.List;
import java.util.Optional;

/**
 * Asks several credential stores in order and uses the first credential found, e.g. the user's own
 * key, then a shared organisation key, then a Claude subscription token. A store that fails
 * (unavailable, unreadable) stops the chain: falling through to a shared key would hide the failure
 * and bill the wrong account.
 */
public final class CredentialChain implements CredentialStore {
  private final List<CredentialStore> stores;

  private CredentialChain(List<CredentialStore> stores) {
    this.stores = List.copyOf(stores);
  }

  /** A chain asking {@code stores} in the given order. */
  public static CredentialChain of(CredentialStore... stores) {
    return new CredentialChain(List.of(stores));
  }

  @Override
  public Optional<UpstreamCredential> find(Principal principal, ProviderId provider) {
    for (CredentialStore store : stores) {
      Optional<UpstreamCredential> credential = store.find(principal, provider);
      if (credential.isPresent()) {
        return credential;
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "CredentialChain" + stores;
  }
}
