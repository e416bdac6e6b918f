package dev.llmproxy.core.credentials;

/** Checks on values the proxy itself puts into upstream headers (credentials). */
final class HeaderValues {
  private HeaderValues() {}

  /** Non-empty and only visible ASCII: no spaces, controls or invisible Unicode. */
  static boolean isVisibleAscii(String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c > '~') {
        return false;
      }
    }
    return true;
  }
}
