package dev.llmproxy.servlet;

import dev.llmproxy.tomcat.TomcatSupport;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * The adapter contract on an embedded Tomcat 11 (the version Spring Boot 4 brings) with {@link
 * TomcatSupport}. In package {@code dev.llmproxy.servlet} to extend the contract from
 * llmproxy-servlet's test jar.
 */
class TomcatAdapterTest extends AdapterContract {

  @Override
  protected Container newContainer() {
    return new EmbeddedTomcat();
  }

  /** An embedded Tomcat serving one webapp on a random loopback port. */
  static final class EmbeddedTomcat implements Container {
    private Tomcat tomcat;
    private Path baseDir;

    @Override
    public ContainerSupport support() {
      return new TomcatSupport();
    }

    /** The NIO connector's channel, read without blocking: see {@link TomcatSupport}. */
    @Override
    public boolean watchesForDisconnect() {
      return true;
    }

    @Override
    public URI start(Webapp webapp) throws Exception {
      baseDir = Files.createTempDirectory("tomcat");
      tomcat = new Tomcat();
      tomcat.setBaseDir(baseDir.toString());
      Connector connector = new Connector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      tomcat.getService().addConnector(connector);
      tomcat.setConnector(connector);

      Context context = tomcat.addContext(webapp.contextPath(), baseDir.toString());
      context.addServletContainerInitializer(
          (classes, servletContext) ->
              webapp.contextAttributes().forEach(servletContext::setAttribute),
          null);
      FilterDef filter = new FilterDef();
      filter.setFilterName("llmproxy");
      filter.setFilter(webapp.filter());
      filter.setAsyncSupported(Boolean.toString(webapp.filterAsyncSupported()));
      webapp.filterInitParameters().forEach(filter::addInitParameter);
      context.addFilterDef(filter);
      FilterMap mapping = new FilterMap();
      mapping.setFilterName("llmproxy");
      mapping.addURLPattern("/*");
      mapping.setDispatcher(DispatcherType.REQUEST.name());
      context.addFilterMap(mapping);
      Wrapper host = Tomcat.addServlet(context, "host", webapp.hostServlet());
      host.setAsyncSupported(true);
      context.addServletMappingDecoded("/*", "host");

      tomcat.start();
      return URI.create("http://127.0.0.1:" + connector.getLocalPort() + webapp.contextPath());
    }

    @Override
    public void stop() throws Exception {
      if (tomcat != null) {
        tomcat.stop();
        tomcat.destroy();
      }
      if (baseDir != null) {
        try (var files = Files.walk(baseDir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
