package dev.llmproxy.core.credentials;

import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCredential;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One shared credential per provider for every principal, e.g. an organisation's API key from
 * configuration. Printing it shows the providers, never the secrets.
 */
public final class SharedCredentialStore implements CredentialStore {
  /** The {@link UpstreamCredential#source()} of a shared organisation key. */
  public static final String SOURCE = "shared_key";

  private final Map<ProviderId, UpstreamCredential> credentials;

  private SharedCredentialStore(Map<ProviderId, UpstreamCredential> credentials) {
    this.credentials = Map.copyOf(credentials);
  }

  /** A store with no credentials: every request gets the "no upstream key" error. */
  public static SharedCredentialStore empty() {
    return new SharedCredentialStore(Map.of());
  }

  /** This store plus {@code credential} for {@code provider}, replacing any earlier one. */
  public SharedCredentialStore with(ProviderId provider, UpstreamCredential credential) {
    Map<ProviderId, UpstreamCredential> copy = new HashMap<>(credentials);
    copy.put(provider, credential);
    return new SharedCredentialStore(copy);
  }

  /**
   * This store plus a shared API key for {@code provider}.
   *
   * @throws IllegalArgumentException if the key has whitespace, control or non-ASCII characters (a
   *     pasted key often carries an invisible one); the message never quotes the key
   */
  public SharedCredentialStore withApiKey(ProviderId provider, String apiKey) {
    if (!HeaderValues.isVisibleAscii(apiKey)) {
      throw new IllegalArgumentException(
          "The shared "
              + provider
              + " key is empty or contains whitespace or non-ASCII characters");
    }
    return with(provider, new UpstreamCredential.ApiKey(Secret.of(apiKey), SOURCE));
  }

  @Override
  public Optional<UpstreamCredential> find(Principal principal, ProviderId provider) {
    return Optional.ofNullable(credentials.get(provider));
  }

  @Override
  public String toString() {
    return "SharedCredentialStore" + credentials.keySet();
  }
}
