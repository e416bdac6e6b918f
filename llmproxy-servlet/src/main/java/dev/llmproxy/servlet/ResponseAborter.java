package dev.llmproxy.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Ends a started response abnormally, so the client sees a truncated response (connection reset, no
 * final chunk) rather than a clean end when the upstream body broke off. The response may not be
 * committed yet: an answer of known length keeps its headers buffered until its first chunk.
 *
 * <p>The Servlet API has no portable way to do this, so it is a container-specific hook, part of
 * {@link ContainerSupport} (on Jetty 12, add {@code llmproxy-jetty}: the filter finds it). The
 * default, {@link #completing()}, just completes the response: the client sees the bytes that
 * arrived and a clean end. By hand on Jetty 12 (ee10):
 *
 * <pre>{@code
 * ResponseAborter jetty =
 *     (request, async) ->
 *         ServletContextRequest.getServletContextRequest(request)
 *             .getServletChannel()
 *             .abort(new IOException("upstream response broke off"));
 * }</pre>
 */
@FunctionalInterface
public interface ResponseAborter {
  /** Aborts the response of {@code request}, whose async context is {@code async}. */
  void abort(HttpServletRequest request, AsyncContext async);

  /** Completes the response normally: the portable fallback. */
  static ResponseAborter completing() {
    return (request, async) -> async.complete();
  }
}
