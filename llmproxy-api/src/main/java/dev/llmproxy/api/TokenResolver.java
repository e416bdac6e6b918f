package dev.llmproxy.api;

/**
 * Maps the proxy token a caller presented to a {@link Principal}. Hosts implement this against
 * their own users, sessions or API-key tables.
 *
 * <p>Called on every proxied request unless the engine caches results; implementations must be
 * thread-safe. Throw {@link StoreUnavailableException} when the backing store cannot answer: the
 * engine then fails closed with 503 rather than guessing.
 */
@FunctionalInterface
public interface TokenResolver {
  /** Resolves {@code credential}; never returns {@code null}. */
  TokenResolution resolve(PresentedCredential credential);
}
