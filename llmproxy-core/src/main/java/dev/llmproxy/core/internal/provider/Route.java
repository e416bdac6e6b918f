package dev.llmproxy.core.internal.provider;

/**
 * Where a proxied request goes.
 *
 * @param profile the provider
 * @param upstreamPath the path after the provider segment, still percent-encoded, starting with
 *     {@code /} (or empty)
 */
public record Route(ProviderProfile profile, String upstreamPath) {

  /** The full upstream URL with the caller's raw query appended verbatim. */
  public String upstreamUrl(String rawQuery) {
    String base = profile.baseUrl() + upstreamPath;
    return rawQuery == null || rawQuery.isEmpty() ? base : base + '?' + rawQuery;
  }
}
