package dev.llmproxy.servlet;

import jakarta.servlet.ServletContext;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the {@link ContainerSupport} registered for the running container. */
final class ContainerSupports {
  private static final Logger log = LoggerFactory.getLogger(ContainerSupports.class);

  private ContainerSupports() {}

  /** The first registered support for {@code context}'s container, else the portable one. */
  static ContainerSupport find(ServletContext context) {
    for (ContainerSupport candidate :
        ServiceLoader.load(ContainerSupport.class, LlmProxyFilter.class.getClassLoader())) {
      if (candidate.supports(context)) {
        log.info(
            "llmproxy: using {} for {}", candidate.getClass().getName(), context.getServerInfo());
        return candidate;
      }
    }
    log.info(
        "llmproxy: no container support for {}: broken streams end cleanly and clients that leave"
            + " before the answer starts are noticed late (add llmproxy-jetty on Jetty, llmproxy-tomcat on"
            + " Tomcat)",
        context.getServerInfo());
    return ContainerSupport.portable();
  }
}
