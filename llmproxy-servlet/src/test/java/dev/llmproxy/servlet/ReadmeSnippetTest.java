package dev.llmproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding snippet compiles against this build, as a host would paste it: inside a
 * method that has the host's {@code servletContext} and {@code users} table, with the packages the
 * README names imported.
 */
class ReadmeSnippetTest {
  private static final Pattern EMBEDDING =
      Pattern.compile("## Embed it in your web app.*?```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void theEmbeddingSnippetCompiles(@TempDir Path out) throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    Matcher snippet = EMBEDDING.matcher(readme);
    assertTrue(snippet.find(), "README.md has a ```java block under 'Embed it in your web app'");
    String source =
        """
        import dev.llmproxy.api.*;
        import dev.llmproxy.core.*;
        import dev.llmproxy.core.credentials.*;
        import dev.llmproxy.servlet.*;
        import jakarta.servlet.*;
        import java.util.*;

        class Host {
          record User(String id, String plan) {}

          interface Users {
            Optional<User> findByApiToken(String token);
          }

          void contextInitialized(ServletContext servletContext, Users users) {
        %s
          }
        }
        """
            .formatted(snippet.group(1));

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    assertNotNull(compiler, "tests run on a JDK");
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
      JavaFileObject host =
          new SimpleJavaFileObject(URI.create("string:///Host.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
              return source;
            }
          };
      boolean compiled =
          compiler
              .getTask(
                  diagnostics,
                  files,
                  null,
                  List.of(
                      "-classpath",
                      System.getProperty("java.class.path"),
                      "-d",
                      out.toString(),
                      "-proc:none"),
                  null,
                  List.of(host))
              .call();
      assertTrue(compiled, "the README snippet does not compile:\n" + diagnostics + source);
    }
    assertEquals(true, new File(out.toFile(), "Host.class").isFile());
  }
}
