package dev.llmproxy.core.internal.provider;

import dev.llmproxy.core.internal.http.ProxyError;
import java.util.Map;

/**
 * Maps {@code /{provider}/{path}} to a {@link Route}, rejecting unknown providers (404) and any
 * path that could climb out of the provider's base URL (400): segments that are, once
 * percent-decoded, {@code .} or {@code ..}, or that contain an encoded slash or backslash.
 */
public final class Router {
  private final Map<String, ProviderProfile> profiles;
  private final ProviderProfile fallback;

  public Router(Map<String, ProviderProfile> profiles, ProviderProfile fallback) {
    this.profiles = Map.copyOf(profiles);
    this.fallback = fallback;
  }

  /**
   * Resolves {@code path} once: the provider it names (or the default provider, whose envelope then
   * answers the refusal) and, if it cannot be proxied, why.
   */
  public Route resolve(String path) {
    String provider = providerSegment(path);
    if (path.isEmpty() || path.charAt(0) != '/') {
      return new Route(fallback, provider, "", ProxyError.notFound("Not found."));
    }
    int end = path.indexOf('/', 1);
    String upstreamPath = end < 0 ? "" : path.substring(end);
    ProviderProfile profile = profiles.get(provider);
    if (profile == null) {
      return new Route(
          fallback,
          provider,
          upstreamPath,
          ProxyError.notFound(
              "Unknown provider. Known providers: " + String.join(", ", profiles.keySet()) + "."));
    }
    return new Route(profile, provider, upstreamPath, checkSegments(upstreamPath));
  }

  /** The provider segment of {@code path} ({@code /anthropic/v1/messages}: anthropic), or "". */
  static String providerSegment(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return "";
    }
    int end = path.indexOf('/', 1);
    return end < 0 ? path.substring(1) : path.substring(1, end);
  }

  /** Rejects dot segments and encoded separators in a raw (still encoded) path. */
  static ProxyError checkSegments(String rawPath) {
    int start = 0;
    int length = rawPath.length();
    while (start <= length) {
      int end = rawPath.indexOf('/', start);
      if (end < 0) {
        end = length;
      }
      if (isForbiddenSegment(rawPath, start, end)) {
        return ProxyError.badRequest("Path segments '.' and '..' are not allowed.");
      }
      start = end + 1;
    }
    return null;
  }

  /**
   * A segment that decodes to "." or ".." (also before a {@code ;} path parameter, as in {@code
   * ..;x}), or that hides a slash or backslash.
   */
  private static boolean isForbiddenSegment(String s, int start, int end) {
    int dots = 0;
    boolean onlyDots = true;
    int i = start;
    while (i < end) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < end) {
        int decoded = hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2));
        if (decoded < 0x100) {
          c = (char) decoded;
          i += 2;
        }
      }
      i++;
      if (c == '/' || c == '\\') {
        return true;
      }
      if (c == ';') {
        break; // a path parameter: servers that strip it would see the segment before it
      }
      if (c == '.') {
        dots++;
      } else {
        onlyDots = false;
      }
    }
    return onlyDots && (dots == 1 || dots == 2);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    char lower = Character.toLowerCase(c);
    return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : 0x100;
  }
}
