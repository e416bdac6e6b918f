package dev.llmproxy.api;

/**
 * Sends requests to upstream providers. The default implementation uses OkHttp; a host may supply
 * its own, e.g. to route through a corporate egress proxy.
 *
 * <p>Implementations must stream response bodies (never buffer them), must not follow redirects or
 * retry on their own, and must be thread-safe.
 */
@FunctionalInterface
public interface UpstreamClient {
  /** Prepares a call; nothing is sent until {@link UpstreamCall#execute()}. */
  UpstreamCall newCall(UpstreamRequest request);
}
