package dev.llmproxy.tomcat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmproxy.servlet.ContainerSupport;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * The service loader instantiates every registered support in any container: on Jetty (a Spring
 * Boot app on Jetty with the starter, say) Tomcat's classes are absent, and {@link TomcatSupport}
 * must still load and answer that it does not apply.
 */
class WithoutTomcatTest {

  @Test
  void loadsAndDeclinesWhereTomcatIsAbsent() throws Exception {
    ClassLoader withoutTomcat = new WithoutTomcat(getClass().getClassLoader());
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("org.apache.catalina.connector.RequestFacade", false, withoutTomcat));

    Class<?> type = Class.forName(TomcatSupport.class.getName(), true, withoutTomcat);
    ContainerSupport support = (ContainerSupport) type.getConstructor().newInstance();
    ServletContext jetty =
        (ServletContext)
            Proxy.newProxyInstance(
                withoutTomcat,
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> {
                  throw new UnsupportedOperationException(method.getName());
                });
    assertFalse(support.supports(jetty));
  }

  /** Loads this module's own classes itself and refuses Tomcat's; the rest from the parent. */
  private static final class WithoutTomcat extends ClassLoader {
    WithoutTomcat(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.startsWith("org.apache.catalina.") || name.startsWith("org.apache.coyote.")) {
          throw new ClassNotFoundException(name);
        }
        if (!name.startsWith("dev.llmproxy.tomcat.")) {
          return super.loadClass(name, resolve);
        }
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          try (InputStream in =
              getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            byte[] bytes = in.readAllBytes();
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return loaded;
      }
    }
  }
}
