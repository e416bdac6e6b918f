package dev.llmproxy.core.pools;

import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.credentials.ClaudeCredentialsFile;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One upstream account of a pool: an id for events and the audit log (never the secret), where its
 * credential comes from, optionally its own base URL, and its weight for {@link
 * PoolStrategy#WEIGHTED}. Printing a member shows its id, base URL and weight only.
 *
 * @param id a name of 1 to 64 letters, digits, {@code .}, {@code _} or {@code -}, unique in its
 *     pool
 * @param credentials asked for the member's credential on every try (a credentials file is re-read
 *     when it changes); a member without one, or with an expired one, is skipped
 * @param baseUrl the member's upstream, e.g. a regional or compatible endpoint; empty for the
 *     provider's base URL
 * @param weight its share under {@link PoolStrategy#WEIGHTED}, at least 1
 */
public record PoolMember(
    String id, CredentialStore credentials, Optional<String> baseUrl, int weight) {
  /** The {@link UpstreamCredential#source()} of a pool member's API key. */
  public static final String SOURCE = "pool_key";

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public PoolMember {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "member id must be 1 to 64 letters, digits, '.', '_' or '-', got '" + id + "'");
    }
    if (weight < 1) {
      throw new IllegalArgumentException("member '" + id + "': weight must be at least 1");
    }
    if (baseUrl.isPresent()
        && !(baseUrl.get().startsWith("http://") || baseUrl.get().startsWith("https://"))) {
      throw new IllegalArgumentException(
          "member '" + id + "': base_url must start with http:// or https://");
    }
  }

  /**
   * A member holding an API key (sent as {@code x-api-key} to Anthropic, as a bearer to OpenAI).
   *
   * @throws IllegalArgumentException if the key is empty or has whitespace, control or non-ASCII
   *     characters; the message never quotes the key
   */
  public static PoolMember apiKey(String id, String apiKey) {
    if (apiKey == null || apiKey.isEmpty() || !apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          "member '"
              + id
              + "': the API key is empty or contains whitespace or non-ASCII characters");
    }
    UpstreamCredential key = new UpstreamCredential.ApiKey(Secret.of(apiKey), SOURCE);
    return of(id, new FixedCredential(key));
  }

  /** A member using a Claude Code subscription's credentials file (Anthropic only). */
  public static PoolMember claudeCredentials(String id, ClaudeCredentialsFile file) {
    return of(id, file);
  }

  /** A member whose credential {@code credentials} finds, weight 1, the provider's base URL. */
  public static PoolMember of(String id, CredentialStore credentials) {
    return new PoolMember(id, credentials, Optional.empty(), 1);
  }

  /** This member sending to {@code url} instead of the provider's base URL. */
  public PoolMember withBaseUrl(String url) {
    return new PoolMember(id, credentials, Optional.of(url), weight);
  }

  /** This member with {@code weight}. */
  public PoolMember withWeight(int weight) {
    return new PoolMember(id, credentials, baseUrl, weight);
  }

  /** Never the credential. */
  @Override
  public String toString() {
    return "PoolMember["
        + id
        + baseUrl.map(url -> ", " + url).orElse("")
        + ", weight="
        + weight
        + "]";
  }

  /** One credential for every principal and provider; prints no secret. */
  private record FixedCredential(UpstreamCredential credential) implements CredentialStore {
    @Override
    public Optional<UpstreamCredential> find(
        dev.llmproxy.api.Principal principal, dev.llmproxy.api.ProviderId provider) {
      return Optional.of(credential);
    }

    @Override
    public String toString() {
      return "FixedCredential[" + credential.source() + "]";
    }
  }
}
