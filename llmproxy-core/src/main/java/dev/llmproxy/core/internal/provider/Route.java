package dev.llmproxy.core.internal.provider;

import dev.llmproxy.core.internal.http.ProxyError;

/**
 * Where a proxied request goes, resolved once when the exchange starts.
 *
 * @param profile the provider the path names; when it names none, the default provider, whose
 *     envelope answers the refusal
 * @param provider the provider segment as the client sent it, or {@code ""}
 * @param upstreamPath the path after the provider segment, still percent-encoded, starting with
 *     {@code /} (or empty)
 * @param refusal why the path cannot be proxied (404 unknown provider, 400 traversal), or {@code
 *     null}
 */
public record Route(
    ProviderProfile profile, String provider, String upstreamPath, ProxyError refusal) {

  /** This route, if the path can be proxied. */
  public Route checked() throws ProxyError {
    if (refusal != null) {
      throw refusal;
    }
    return this;
  }

  /** The full upstream URL with the caller's raw query appended verbatim. */
  public String upstreamUrl(String rawQuery) {
    return upstreamUrl(null, rawQuery);
  }

  /**
   * The full upstream URL on {@code baseUrl} (a pool member's own; {@code null} for the
   * provider's), with the caller's raw query appended verbatim.
   */
  public String upstreamUrl(String baseUrl, String rawQuery) {
    String base =
        (baseUrl == null ? profile.baseUrl() : BaseUrls.normalize(baseUrl)) + upstreamPath;
    return rawQuery == null || rawQuery.isEmpty() ? base : base + '?' + rawQuery;
  }
}
