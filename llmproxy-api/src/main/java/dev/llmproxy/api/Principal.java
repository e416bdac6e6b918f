package dev.llmproxy.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling: the result of resolving a presented proxy token.
 *
 * @param id stable identifier of the user or service, as the host knows it
 * @param kind whether a person or a service stands behind the token
 * @param tier rate-limit and model-access tier, e.g. {@code "free"} or {@code "pro"}
 * @param scopes the endpoints the principal may call, in the {@link Scopes} vocabulary; {@link
 *     Scopes#ALL} for every endpoint, and an empty set for none
 * @param attributes extra facts for listeners and custom stages, e.g. {@link #TOKEN_ID}
 * @param limits budgets and allowed models/providers of this principal (its token)
 */
public record Principal(
    String id,
    Kind kind,
    String tier,
    Set<String> scopes,
    Map<String, String> attributes,
    Limits limits) {

  /** Attribute naming the issued token that authenticated the principal, when there is one. */
  public static final String TOKEN_ID = "token_id";

  /** Whether a person or a service stands behind a principal. */
  public enum Kind {
    /** A person; may manage their own upstream keys. */
    USER,
    /** A service or organisation key; may not manage per-user keys. */
    SERVICE
  }

  public Principal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tier, "tier");
    scopes = Set.copyOf(scopes);
    attributes = Map.copyOf(attributes);
    Objects.requireNonNull(limits, "limits");
    if (id.isBlank()) {
      throw new IllegalArgumentException("id is blank");
    }
  }

  /** A user principal in {@code tier} that may call every endpoint, with no attributes. */
  public static Principal user(String id, String tier) {
    return new Principal(id, Kind.USER, tier, Set.of(Scopes.ALL), Map.of(), Limits.NONE);
  }

  /** A service principal in {@code tier} that may call every endpoint, with no attributes. */
  public static Principal service(String id, String tier) {
    return new Principal(id, Kind.SERVICE, tier, Set.of(Scopes.ALL), Map.of(), Limits.NONE);
  }

  /** This principal with {@code scopes} instead of its own. */
  public Principal withScopes(Set<String> scopes) {
    return new Principal(id, kind, tier, scopes, attributes, limits);
  }

  /** This principal with one more attribute. */
  public Principal withAttribute(String name, String value) {
    var copy = new java.util.HashMap<>(attributes);
    copy.put(name, value);
    return new Principal(id, kind, tier, scopes, copy, limits);
  }

  /** This principal with {@code limits}. */
  public Principal withLimits(Limits limits) {
    return new Principal(id, kind, tier, scopes, attributes, limits);
  }

  /**
   * The account budgets are kept for: the issued token when there is one, so each token has its own
   * {@code max_requests} and spend; otherwise the principal.
   */
  public String accountId() {
    return tokenId().orElse("principal:" + id);
  }

  /** The issued token that authenticated this principal, if any. */
  public Optional<String> tokenId() {
    return Optional.ofNullable(attributes.get(TOKEN_ID));
  }
}
