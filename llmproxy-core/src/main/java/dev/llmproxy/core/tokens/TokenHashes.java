package dev.llmproxy.core.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of proxy tokens. Tokens are 256-bit random values, so an unsalted fast hash is the right
 * tool: nothing to brute-force, and a lookup by hash leaks no timing about the token.
 */
final class TokenHashes {
  private TokenHashes() {}

  static String sha256Hex(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is required of every JVM", e);
    }
  }
}
