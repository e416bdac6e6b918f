package dev.llmproxy.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.util.Map;

/**
 * A servlet container that {@link AdapterContract} runs the filter in: a real server on a random
 * port of the loopback interface. One implementation per container the adapter supports.
 */
interface Container {

  /** This container's support for {@link LlmProxyFilter}: abort, disconnect watch. */
  ContainerSupport support();

  /**
   * Whether {@link #support()} notices a client that leaves while the proxy waits for the
   * upstream's answer (its {@link ContainerSupport#watchForDisconnect} watches); if not, the proxy
   * notices at its first write to the client.
   */
  default boolean watchesForDisconnect() {
    return true;
  }

  /**
   * Deploys {@code webapp}, starts the server and returns the webapp's base URI: {@code
   * http://127.0.0.1:PORT} followed by the context path, without a trailing slash.
   */
  URI start(Webapp webapp) throws Exception;

  /** Stops the server; does nothing if it never started. */
  void stop() throws Exception;

  /**
   * A webapp as a host would deploy it.
   *
   * <ul>
   *   <li>the context attributes are set before any filter is initialised;
   *   <li>the filter is registered as {@code llmproxy} for {@code /*} on {@code REQUEST}
   *       dispatches, with async support as given and the init parameters given;
   *   <li>the host's own servlet is mapped to {@code /*}, always with async support: Tomcat decides
   *       a request's async support over the whole chain, servlet included, so a synchronous host
   *       servlet would disable the proxy there.
   * </ul>
   *
   * @param contextPath {@code ""} for the root context, else e.g. {@code /app}
   */
  record Webapp(
      String contextPath,
      Filter filter,
      boolean filterAsyncSupported,
      Map<String, String> filterInitParameters,
      Map<String, Object> contextAttributes,
      HttpServlet hostServlet) {

    /** {@code filter} with async support at {@code contextPath}, beside {@code hostServlet}. */
    static Webapp of(String contextPath, Filter filter, HttpServlet hostServlet) {
      return new Webapp(contextPath, filter, true, Map.of(), Map.of(), hostServlet);
    }

    /** This webapp with the filter registered without async support. */
    Webapp withoutAsyncSupport() {
      return new Webapp(
          contextPath, filter, false, filterInitParameters, contextAttributes, hostServlet);
    }
  }
}
