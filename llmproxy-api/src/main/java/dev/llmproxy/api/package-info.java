/**
 * The llmproxy service-provider interface: what a host application implements (token resolution,
 * upstream credentials, budgets) and the immutable values that cross it.
 *
 * <p>Nothing here depends on a servlet container, an HTTP client, a JSON library or a crypto
 * library. No method takes or returns {@code null}; absent values are {@link java.util.Optional}.
 */
package dev.llmproxy.api;
