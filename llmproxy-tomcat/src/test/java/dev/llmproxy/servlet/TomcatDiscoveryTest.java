package dev.llmproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.llmproxy.tomcat.TomcatSupport;
import jakarta.servlet.ServletContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;

/** The filter finds {@link TomcatSupport} by itself in a Tomcat webapp: no host code needed. */
class TomcatDiscoveryTest {

  @Test
  void theFilterPicksTomcatSupportForATomcatContext() throws Exception {
    Path baseDir = Files.createTempDirectory("tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context context = tomcat.addContext("", baseDir.toString());
    CompletableFuture<ServletContext> started = new CompletableFuture<>();
    context.addServletContainerInitializer(
        (classes, servletContext) -> started.complete(servletContext), null);
    tomcat.start();
    try {
      ServletContext servletContext = started.get(5, TimeUnit.SECONDS);
      assertInstanceOf(TomcatSupport.class, ContainerSupports.find(servletContext));
    } finally {
      tomcat.stop();
      tomcat.destroy();
    }
  }
}
