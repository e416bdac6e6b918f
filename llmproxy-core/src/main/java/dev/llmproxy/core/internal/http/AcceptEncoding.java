package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Headers;
import java.util.Locale;

/**
 * Narrows a forwarded {@code Accept-Encoding} to what the usage meters can read: {@code gzip} or
 * {@code identity}. A response in brotli or zstd could not be metered, and so would be free; the
 * client still gets an encoding it asked for, or identity, which every client accepts.
 *
 * <p>A request without the header is forwarded with {@code identity}, what an upstream sends such a
 * client directly. Left out, the HTTP client would ask for gzip on the caller's behalf and inflate
 * the answer in the proxy, so the client would no longer get the upstream's bytes.
 */
public final class AcceptEncoding {
  private AcceptEncoding() {}

  public static void narrow(Headers.Builder headers) {
    java.util.List<String> values = headers.values("accept-encoding");
    if (values.isEmpty()) {
      headers.set("accept-encoding", "identity");
      return;
    }
    boolean gzip = false;
    for (String value : values) {
      for (String coding : value.split(",")) {
        String[] parts = coding.split(";");
        if (parts[0].trim().toLowerCase(Locale.ROOT).equals("gzip") && !refused(parts)) {
          gzip = true;
        }
      }
    }
    headers.set("accept-encoding", gzip ? "gzip" : "identity");
  }

  /** Whether the coding carries {@code q=0}, i.e. "not acceptable". */
  private static boolean refused(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
      if (parameter.startsWith("q=")) {
        try {
          return Double.parseDouble(parameter.substring(2).trim()) <= 0;
        } catch (NumberFormatException e) {
          return true;
        }
      }
    }
    return false;
  }
}
