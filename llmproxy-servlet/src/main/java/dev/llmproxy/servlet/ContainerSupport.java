package dev.llmproxy.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;

/**
 * What one servlet container can do that the Servlet API cannot do portably: end a started response
 * abnormally, and notice a client that leaves while the proxy waits for the upstream's answer (a
 * quiet connection with a fully read request is otherwise noticed only at the first write).
 *
 * <p>{@link LlmProxyFilter} finds an implementation for the container it runs in with {@link
 * java.util.ServiceLoader} ({@code llmproxy-jetty} registers one for Jetty 12, {@code
 * llmproxy-tomcat} one for Tomcat 10.1 and 11), so adding the module is all a host does; without
 * one it falls back to {@link #portable()}.
 */
public interface ContainerSupport {

  /** Whether this implementation works in the container that runs {@code context}. */
  boolean supports(ServletContext context);

  /**
   * Ends the started response of {@code request} abnormally: the client must see a truncated
   * response (connection reset, no final chunk), not a clean end.
   */
  void abort(HttpServletRequest request, AsyncContext async);

  /**
   * Starts watching the connection of {@code request}, whose body has been read, for the client
   * leaving, and runs {@code onGone} (on any thread) if it does. Returns what stops the watch,
   * which the adapter runs before it writes the response or ends the request. The default watches
   * nothing.
   */
  default Runnable watchForDisconnect(HttpServletRequest request, Runnable onGone) {
    return () -> {};
  }

  /**
   * What works in any container: a broken stream is ended by completing the response (the client
   * sees a clean end), and a client that leaves early is noticed at the first write.
   */
  static ContainerSupport portable() {
    return of(ResponseAborter.completing());
  }

  /** Support that aborts with {@code aborter} and watches nothing. */
  static ContainerSupport of(ResponseAborter aborter) {
    return new ContainerSupport() {
      @Override
      public boolean supports(ServletContext context) {
        return true;
      }

      @Override
      public void abort(HttpServletRequest request, AsyncContext async) {
        aborter.abort(request, async);
      }
    };
  }
}
