package dev.llmproxy.api;

/**
 * Model-name patterns: literal characters and {@code *} for any run of characters, e.g. {@code
 * claude-sonnet-4-5*} matches the dated {@code claude-sonnet-4-5-20250929}.
 */
public final class ModelPatterns {
  private ModelPatterns() {}

  /** Whether {@code pattern} matches all of {@code text}. */
  public static boolean matches(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
