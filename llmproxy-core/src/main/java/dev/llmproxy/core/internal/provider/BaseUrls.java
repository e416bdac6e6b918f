package dev.llmproxy.core.internal.provider;

import java.net.URI;

/** Validates and normalises configured upstream base URLs. */
public final class BaseUrls {
  private BaseUrls() {}

  /** {@code url} without a trailing slash; must be absolute http(s) with no query. */
  public static String normalize(String url) {
    URI uri = URI.create(url);
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("base URL must be absolute http(s) without query: " + url);
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
