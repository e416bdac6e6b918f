/**
 * Proxy tokens the proxy issues itself: {@link dev.llmproxy.core.tokens.IssuedTokens} issues,
 * resolves (through a cache) and revokes them, keeping only their hashes in a {@code TokenStore};
 * {@link dev.llmproxy.core.tokens.StaticTokenResolver} serves a fixed map, for tests and demos.
 */
package dev.llmproxy.core.tokens;
