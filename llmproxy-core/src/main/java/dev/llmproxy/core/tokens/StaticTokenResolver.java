package dev.llmproxy.core.tokens;

import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import java.util.HashMap;
import java.util.Map;

/**
 * A fixed set of tokens, each mapped to its principal: for tests, demos and small deployments with
 * a handful of service tokens. Only SHA-256 hashes of the tokens are kept.
 */
public final class StaticTokenResolver implements TokenResolver {
  private final Map<String, Principal> principalsByHash;

  private StaticTokenResolver(Map<String, Principal> principalsByHash) {
    this.principalsByHash = Map.copyOf(principalsByHash);
  }

  /** A resolver accepting exactly the tokens in {@code principalsByToken}. */
  public static StaticTokenResolver of(Map<String, Principal> principalsByToken) {
    Map<String, Principal> byHash = new HashMap<>();
    principalsByToken.forEach(
        (token, principal) -> byHash.put(TokenHashes.sha256Hex(token), principal));
    return new StaticTokenResolver(byHash);
  }

  @Override
  public TokenResolution resolve(PresentedCredential credential) {
    Principal principal = principalsByHash.get(TokenHashes.sha256Hex(credential.token().reveal()));
    return principal != null
        ? TokenResolution.authenticated(principal)
        : TokenResolution.rejected(TokenResolution.Reason.UNKNOWN);
  }

  @Override
  public String toString() {
    return "StaticTokenResolver[" + principalsByHash.size() + " tokens]";
  }
}
