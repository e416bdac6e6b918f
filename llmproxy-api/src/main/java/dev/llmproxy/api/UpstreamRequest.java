package dev.llmproxy.api;

import java.util.Objects;

/**
 * A request ready to send upstream: every header is final (allow-listed, credential injected).
 *
 * <p>The body array is shared, not copied, so a 32 MiB body exists once in memory; neither the
 * engine nor a client may modify it. Holding the whole body also makes the request replayable.
 *
 * @param method HTTP method, e.g. {@code POST}
 * @param url absolute upstream URL including the caller's query string verbatim
 * @param headers the headers to send
 * @param body the body bytes, empty for none
 */
public record UpstreamRequest(String method, String url, Headers headers, byte[] body) {
  public UpstreamRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
  }

  /** Secrets live in headers, so only the method and URL are printed. */
  @Override
  public String toString() {
    return "UpstreamRequest[" + method + " " + url + ", " + body.length + " bytes]";
  }
}
