package dev.llmproxy.core;

import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues {@code lp_sk_…} proxy tokens (256 random bits) and resolves them. Only the SHA-256 of a
 * token is kept; the value is returned once, at issue. In memory; thread-safe.
 */
public final class IssuedTokens implements TokenResolver {
  /** Prefix of every issued token, so leaked tokens are recognisable by secret scanners. */
  public static final String PREFIX = "lp_sk_";

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final ConcurrentHashMap<String, IssuedToken> byHash = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> hashById = new ConcurrentHashMap<>();

  public IssuedTokens(Clock clock) {
    this.clock = clock;
  }

  /** Issues a token for {@code user} in {@code tier}. */
  public IssuedToken.Issued issue(String user, String tier) {
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("user is required");
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = PREFIX + ENCODER.encodeToString(bytes);
    byte[] idBytes = new byte[9];
    random.nextBytes(idBytes);
    String id = "tok_" + ENCODER.encodeToString(idBytes);
    IssuedToken record = new IssuedToken(id, user, tier, clock.instant(), false);
    String hash = TokenHashes.sha256Hex(token);
    byHash.put(hash, record);
    hashById.put(id, hash);
    return new IssuedToken.Issued(record, Secret.of(token));
  }

  /** Every issued token, oldest first. */
  public List<IssuedToken> list() {
    List<IssuedToken> all = new ArrayList<>(byHash.values());
    all.sort(Comparator.comparing(IssuedToken::createdAt).thenComparing(IssuedToken::id));
    return all;
  }

  /** Revokes token {@code id}; false if there is no such token. */
  public boolean revoke(String id) {
    String hash = hashById.get(id);
    if (hash == null) {
      return false;
    }
    byHash.computeIfPresent(
        hash, (h, r) -> new IssuedToken(r.id(), r.user(), r.tier(), r.createdAt(), true));
    return true;
  }

  @Override
  public TokenResolution resolve(PresentedCredential credential) {
    IssuedToken record = byHash.get(TokenHashes.sha256Hex(credential.token().reveal()));
    if (record == null) {
      return TokenResolution.rejected(TokenResolution.Reason.UNKNOWN);
    }
    if (record.revoked()) {
      return TokenResolution.rejected(TokenResolution.Reason.REVOKED);
    }
    return TokenResolution.authenticated(
        Principal.user(record.user(), record.tier())
            .withAttribute(Principal.TOKEN_ID, record.id()));
  }
}
