package dev.llmproxy.tomcat;

import dev.llmproxy.servlet.ContainerSupport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Field;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.RequestFacade;
import org.apache.coyote.ActionCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ContainerSupport} for Tomcat 10.1 and 11 (embedded, standalone, or Spring Boot's default
 * container), which {@code LlmProxyFilter} finds by itself when this module is on the class path.
 *
 * <ul>
 *   <li><b>Abort</b>: the coyote action {@code CLOSE_NOW}, as Tomcat's own {@code ErrorReportValve}
 *       uses for an error after the response was committed: further writes are swallowed and the
 *       connection is closed without the final chunk, so the client sees a truncated answer, not a
 *       clean end. Tomcat has no public way from the servlet request to its connector request, so
 *       this reads the {@code RequestFacade}'s {@code request} field once by reflection (class path
 *       only; on the module path, open {@code org.apache.catalina.connector} to this module, else
 *       aborts fall back to completing the response, logged once).
 *   <li><b>Disconnect watch</b>: none. Tomcat registers no read interest on the connection of an
 *       async request whose body was read whole, and offers no API to ask for it (its {@code
 *       NB_READ_INTEREST} action does nothing once the body is read), so a client that leaves while
 *       the upstream is still thinking is noticed at the proxy's first write to it: the upstream
 *       call is then cancelled and billed as on any container. A stream's client that leaves is
 *       noticed at the next event, as everywhere.
 * </ul>
 */
public final class TomcatSupport implements ContainerSupport {
  private static final Logger log = LoggerFactory.getLogger(TomcatSupport.class);

  /** Registered for {@link java.util.ServiceLoader}. */
  public TomcatSupport() {}

  @Override
  public boolean supports(ServletContext context) {
    return context.getClass().getName().startsWith("org.apache.catalina.");
  }

  @Override
  public void abort(HttpServletRequest request, AsyncContext async) {
    if (!Coyote.closeNow(request)) {
      async.complete();
    }
  }

  /**
   * Everything that names Tomcat's classes, loaded only on the first abort: the service loader
   * instantiates this support in any container, Tomcat or not.
   */
  private static final class Coyote {
    /** {@code RequestFacade.request}, or {@code null} where reflection is refused. */
    private static final Field CONNECTOR_REQUEST = connectorRequestField();

    private static Field connectorRequestField() {
      try {
        Field field = RequestFacade.class.getDeclaredField("request");
        field.setAccessible(true);
        return field;
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.warn(
            "llmproxy: cannot reach Tomcat's connector request ({}): broken streams will end"
                + " cleanly",
            e.toString());
        return null;
      }
    }

    /** Closes the connection of {@code request} at once; false if out of reach. */
    static boolean closeNow(ServletRequest request) {
      ServletRequest current = request;
      while (current instanceof ServletRequestWrapper wrapper) {
        current = wrapper.getRequest();
      }
      if (CONNECTOR_REQUEST == null || !(current instanceof RequestFacade facade)) {
        return false;
      }
      Request connector;
      try {
        connector = (Request) CONNECTOR_REQUEST.get(facade);
      } catch (IllegalAccessException e) {
        return false;
      }
      connector
          .getCoyoteRequest()
          .action(ActionCode.CLOSE_NOW, new IOException("upstream response broke off"));
      return true;
    }
  }
}
