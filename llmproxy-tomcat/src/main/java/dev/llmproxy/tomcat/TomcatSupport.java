package dev.llmproxy.tomcat;

import dev.llmproxy.servlet.ContainerSupport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;
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
 *   <li><b>Disconnect watch</b>: Tomcat registers no read interest on the connection of an async
 *       request whose body was read whole, and offers no API to ask for it (its {@code
 *       NB_READ_INTEREST} action does nothing once the body is read). So while the proxy waits for
 *       the upstream, a {@link DisconnectWatch} reads the connection's socket channel without
 *       blocking every half second: end of stream means the client left, and the upstream call is
 *       cancelled. A byte of a pipelined next request read that way ends the connection after this
 *       answer ({@code Connection: close}), so the client resends it. This reaches the channel of
 *       the NIO connector (Tomcat's default, and Spring Boot's) by reflection, for plain HTTP/1.x
 *       only: not over TLS, whose records it must not consume, nor HTTP/2. Elsewhere a client that
 *       leaves early is noticed at the proxy's first write to it.
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

  @Override
  public Runnable watchForDisconnect(HttpServletRequest request, Runnable onGone) {
    if (request.isSecure() || !request.getProtocol().startsWith("HTTP/1.")) {
      return () -> {};
    }
    SocketChannel channel = Coyote.channel(request);
    if (channel == null) {
      return () -> {};
    }
    return DisconnectWatch.start(channel, onGone, () -> Coyote.closeAfterResponse(request));
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

    /** {@code org.apache.coyote.Request.hook}: the processor serving the request. */
    private static final Field HOOK = field(org.apache.coyote.Request.class, "hook");

    /** {@code AbstractProcessor.socketWrapper}: the connection. */
    private static final Field SOCKET_WRAPPER =
        field(org.apache.coyote.AbstractProcessor.class, "socketWrapper");

    private static Field field(Class<?> type, String name) {
      try {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.info(
            "llmproxy: cannot reach Tomcat's {}.{} ({}): a client leaving before the answer is"
                + " noticed at the first write",
            type.getSimpleName(),
            name,
            e.toString());
        return null;
      }
    }

    /** Closes the connection of {@code request} at once; false if out of reach. */
    static boolean closeNow(ServletRequest request) {
      Request connector = connector(request);
      if (connector == null) {
        return false;
      }
      connector
          .getCoyoteRequest()
          .action(ActionCode.CLOSE_NOW, new IOException("upstream response broke off"));
      return true;
    }

    /** Has Tomcat close the connection once this response is written. */
    static void closeAfterResponse(ServletRequest request) {
      Request connector = connector(request);
      if (connector != null) {
        connector.getResponse().setHeader("Connection", "close");
      }
    }

    /**
     * The socket channel of {@code request}'s connection on the NIO connector, or {@code null}
     * where it is out of reach (another connector, reflection refused).
     */
    static SocketChannel channel(ServletRequest request) {
      Request connector = connector(request);
      if (connector == null || HOOK == null || SOCKET_WRAPPER == null) {
        return null;
      }
      try {
        Object processor = HOOK.get(connector.getCoyoteRequest());
        if (!(processor instanceof org.apache.coyote.AbstractProcessor)) {
          return null;
        }
        Object wrapper = SOCKET_WRAPPER.get(processor);
        if (wrapper instanceof org.apache.tomcat.util.net.SocketWrapperBase<?> socket
            && socket.getSocket() instanceof org.apache.tomcat.util.net.NioChannel nio) {
          return nio.getIOChannel();
        }
        return null;
      } catch (IllegalAccessException | RuntimeException e) {
        return null;
      }
    }

    private static Request connector(ServletRequest request) {
      ServletRequest current = request;
      while (current instanceof ServletRequestWrapper wrapper) {
        current = wrapper.getRequest();
      }
      if (CONNECTOR_REQUEST == null || !(current instanceof RequestFacade facade)) {
        return null;
      }
      try {
        return (Request) CONNECTOR_REQUEST.get(facade);
      } catch (IllegalAccessException e) {
        return null;
      }
    }
  }
}
