package dev.llmproxy.servlet;

import dev.llmproxy.jetty.JettySupport;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The adapter contract on Jetty 12 (ee10) with {@link JettySupport}. In package {@code
 * dev.llmproxy.servlet} to extend the contract from llmproxy-servlet's test jar.
 */
class JettyAdapterTest extends AdapterContract {

  @Override
  protected Container newContainer() {
    return new Jetty();
  }

  /** An embedded Jetty 12 serving one ee10 webapp. */
  static final class Jetty implements Container {
    private Server server;

    @Override
    public ContainerSupport support() {
      return new JettySupport();
    }

    @Override
    public URI start(Webapp webapp) throws Exception {
      server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);

      ServletContextHandler context =
          new ServletContextHandler(webapp.contextPath().isEmpty() ? "/" : webapp.contextPath());
      webapp.contextAttributes().forEach(context::setAttribute);
      FilterHolder filter = new FilterHolder(webapp.filter());
      filter.setName("llmproxy");
      filter.setAsyncSupported(webapp.filterAsyncSupported());
      filter.setInitParameters(webapp.filterInitParameters());
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
      ServletHolder host = new ServletHolder(webapp.hostServlet());
      host.setAsyncSupported(true);
      context.addServlet(host, "/*");
      server.setHandler(context);
      server.start();
      return URI.create("http://127.0.0.1:" + connector.getLocalPort() + webapp.contextPath());
    }

    @Override
    public void stop() throws Exception {
      if (server != null) {
        server.stop();
      }
    }
  }
}
