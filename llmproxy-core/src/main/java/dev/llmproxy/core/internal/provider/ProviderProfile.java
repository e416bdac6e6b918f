package dev.llmproxy.core.internal.provider;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.metering.UsageMeter;

/**
 * Everything the engine knows about one upstream provider: where it lives, which headers cross, how
 * a credential is injected, and how its error envelope looks. Adding a provider means adding a
 * profile; the exchange's stages stay as they are.
 */
public interface ProviderProfile {

  /** The route segment and identity of this provider. */
  ProviderId id();

  /** The upstream base URL without a trailing slash, e.g. {@code https://api.anthropic.com}. */
  String baseUrl();

  /** The headers to send upstream: the client's allowed ones plus {@code credential}. */
  Headers upstreamHeaders(Headers client, UpstreamCredential credential);

  /**
   * The body to send upstream: {@code body} itself (the default, byte for byte), or a variant the
   * operator asked for, such as OpenAI's opt-in usage injection.
   */
  default byte[] prepareBody(String upstreamPath, RequestPeek peek, byte[] body) {
    return body;
  }

  /** Copies the upstream response headers that may reach the client into {@code out}. */
  void copyResponseHeaders(Headers upstream, Headers.Builder out);

  /**
   * A meter for a response with these headers: the provider's SSE or JSON usage reader, wrapped to
   * decompress gzip; {@link UsageMeter#NONE} for anything else.
   */
  UsageMeter meter(Headers responseHeaders);

  /** The provider's error envelope for a proxy-originated error, as JSON bytes. */
  byte[] errorBody(ErrorType type, String message);

  /** Whether requests need an upstream credential; a keyless local upstream does not. */
  default boolean requiresCredential() {
    return true;
  }

  /** The status for "the proxy is at its concurrency limit": 529 is Anthropic's overload. */
  default int overloadedStatus() {
    return 529;
  }

  /** Tells a user how to give the proxy an upstream key, for the "no credential" error. */
  String missingCredentialHint();
}
