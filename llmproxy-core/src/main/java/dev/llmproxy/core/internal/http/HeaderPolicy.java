package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Headers;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which headers cross the proxy, in each direction. Request headers pass only if allow-listed;
 * response headers pass if allow-listed or under an allowed prefix. Hop-by-hop headers, and any
 * header named in {@code Connection} (RFC 9110 §7.6.1), never pass; neither does {@code
 * set-cookie}. The sets are built once per provider, so filtering is a hash lookup per header.
 */
public final class HeaderPolicy {
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

  /**
   * The forwarding rules, the same for every route (docs/architecture.md, "Headers"): these request
   * headers go upstream; responses keep these headers and any under these prefixes.
   */
  public static final HeaderPolicy STANDARD =
      new HeaderPolicy(
          Set.of(
              "accept",
              "accept-encoding",
              "anthropic-version",
              "anthropic-beta",
              "anthropic-dangerous-direct-browser-access",
              "content-type",
              "user-agent",
              "openai-organization",
              "openai-project",
              "openai-beta"),
          Set.of(
              "content-type",
              "content-length",
              "content-encoding",
              "request-id",
              "retry-after",
              "x-request-id"),
          List.of("anthropic-", "openai-", "x-ratelimit-"));

  private final Set<String> requestAllowed;
  private final Set<String> responseAllowed;
  private final List<String> responsePrefixes;

  HeaderPolicy(Set<String> requestAllowed, Set<String> responseAllowed, List<String> prefixes) {
    this.requestAllowed = Set.copyOf(requestAllowed);
    this.responseAllowed = Set.copyOf(responseAllowed);
    this.responsePrefixes = List.copyOf(prefixes);
  }

  /** Copies the allowed request headers of {@code client} into {@code out}. */
  public void copyRequestHeaders(Headers client, Headers.Builder out) {
    Set<String> connectionNamed = connectionNamed(client);
    for (int i = 0, n = client.size(); i < n; i++) {
      String name = client.name(i);
      if (requestAllowed.contains(name) && !connectionNamed.contains(name)) {
        out.add(name, client.value(i));
      }
    }
  }

  /** Copies the allowed response headers of {@code upstream} into {@code out}. */
  public void copyResponseHeaders(Headers upstream, Headers.Builder out) {
    Set<String> connectionNamed = connectionNamed(upstream);
    for (int i = 0, n = upstream.size(); i < n; i++) {
      String name = upstream.name(i);
      if (isResponseAllowed(name) && !connectionNamed.contains(name)) {
        out.add(name, upstream.value(i));
      }
    }
  }

  private boolean isResponseAllowed(String name) {
    if (HOP_BY_HOP.contains(name) || name.equals("set-cookie") || name.equals("set-cookie2")) {
      return false;
    }
    if (responseAllowed.contains(name)) {
      return true;
    }
    for (int i = 0; i < responsePrefixes.size(); i++) {
      if (name.startsWith(responsePrefixes.get(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Header names listed in {@code Connection} other than the bare options {@code keep-alive},
   * {@code close} and {@code upgrade}. Nearly every request says only {@code keep-alive}, so the
   * common case is a scan without allocation.
   */
  private static Set<String> connectionNamed(Headers headers) {
    Set<String> names = null;
    for (int i = 0, n = headers.size(); i < n; i++) {
      if (!headers.name(i).equals("connection")) {
        continue;
      }
      String value = headers.value(i);
      int start = 0;
      while (start <= value.length()) {
        int end = value.indexOf(',', start);
        if (end < 0) {
          end = value.length();
        }
        String token = value.substring(start, end).trim().toLowerCase(java.util.Locale.ROOT);
        if (!token.isEmpty()
            && !token.equals("keep-alive")
            && !token.equals("close")
            && !token.equals("upgrade")) {
          if (names == null) {
            names = new HashSet<>();
          }
          names.add(token);
        }
        start = end + 1;
      }
    }
    return names == null ? Set.of() : names;
  }
}
