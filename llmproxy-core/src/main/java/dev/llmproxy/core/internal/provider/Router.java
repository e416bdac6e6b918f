package dev.llmproxy.core.internal.provider;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.core.internal.http.ErrorType;
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

  /** The provider named by the first segment of {@code path}, or {@code null}. */
  ProviderProfile profileFor(String path) {
    return profiles.get(providerSegment(path));
  }

  /** The profile whose envelope answers errors on {@code path}: its provider's, or the default. */
  public ProviderProfile envelopeFor(String path) {
    ProviderProfile profile = profileFor(path);
    return profile != null ? profile : fallback;
  }

  public Route route(String path) throws ProxyError {
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw new ProxyError(404, ErrorType.NOT_FOUND, Outcome.BAD_REQUEST, "Not found.");
    }
    int end = path.indexOf('/', 1);
    String upstreamPath = end < 0 ? "" : path.substring(end);
    ProviderProfile profile = profiles.get(providerSegment(path));
    if (profile == null) {
      throw new ProxyError(
          404,
          ErrorType.NOT_FOUND,
          Outcome.BAD_REQUEST,
          "Unknown provider. Known providers: " + String.join(", ", profiles.keySet()) + ".");
    }
    checkSegments(upstreamPath);
    return new Route(profile, upstreamPath);
  }

  /** The provider segment of {@code path} ({@code /anthropic/v1/messages}: anthropic), or "". */
  public static String providerSegment(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return "";
    }
    int end = path.indexOf('/', 1);
    return end < 0 ? path.substring(1) : path.substring(1, end);
  }

  /** Rejects dot segments and encoded separators in a raw (still encoded) path. */
  static void checkSegments(String rawPath) throws ProxyError {
    int start = 0;
    int length = rawPath.length();
    while (start <= length) {
      int end = rawPath.indexOf('/', start);
      if (end < 0) {
        end = length;
      }
      if (isForbiddenSegment(rawPath, start, end)) {
        throw ProxyError.badRequest("Path segments '.' and '..' are not allowed.");
      }
      start = end + 1;
    }
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
