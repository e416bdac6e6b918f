package dev.llmproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The code samples a newcomer copies compile against this build: the README's embedding snippet and
 * the Javadoc samples of the types a host starts from, each pasted into a method that has the
 * variables the sample assumes, with the packages the README names imported.
 */
class SnippetsCompileTest {
  private static final String IMPORTS =
      """
      import dev.llmproxy.api.*;
      import dev.llmproxy.core.*;
      import dev.llmproxy.core.credentials.*;
      import dev.llmproxy.servlet.*;
      import jakarta.servlet.*;
      import java.io.IOException;
      import java.util.*;
      import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
      """;

  @TempDir Path out;

  @Test
  void theReadmesEmbeddingSnippetCompiles() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    Matcher snippet =
        Pattern.compile("## Embed it in your web app.*?```java\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertTrue(snippet.find(), "README.md has a ```java block under 'Embed it in your web app'");
    assertCompiles(
        "ServletContext servletContext, Users users",
        """
        record User(String id, String plan) {}

        interface Users {
          Optional<User> findByApiToken(String token);
        }
        """,
        snippet.group(1));
  }

  @Test
  void theLlmProxyJavadocSampleCompiles() throws Exception {
    assertCompiles(
        "MyUsers myUsers, String orgKey",
        "interface MyUsers { TokenResolution resolveToken(PresentedCredential credential); }",
        javadocSample("../llmproxy-core/src/main/java/dev/llmproxy/core/LlmProxy.java"));
  }

  @Test
  void theFilterJavadocSampleCompiles() throws Exception {
    assertCompiles(
        "ServletContext servletContext, LlmProxy proxy",
        "",
        javadocSample("src/main/java/dev/llmproxy/servlet/LlmProxyFilter.java"));
  }

  @Test
  void theJettyAborterJavadocSampleCompiles() throws Exception {
    assertCompiles(
        "", "", javadocSample("src/main/java/dev/llmproxy/servlet/ResponseAborter.java"));
  }

  /** The first {@code <pre>{@code ...}</pre>} of a source file's Javadoc, unstarred. */
  private static String javadocSample(String file) throws Exception {
    Matcher sample =
        Pattern.compile("<pre>\\{@code\\n(.*?)\\n \\* }</pre>", Pattern.DOTALL)
            .matcher(Files.readString(Path.of(file)));
    assertTrue(sample.find(), file + " has a Javadoc code sample");
    return sample.group(1).replaceAll("(?m)^ \\* ?", "");
  }

  private void assertCompiles(String parameters, String members, String body) throws Exception {
    String source =
        IMPORTS
            + """

            class Host {
              %s

              void sample(%s) {
            %s
              }
            }
            """
                .formatted(members, parameters, body);
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
      List<String> options =
          List.of(
              "-classpath",
              System.getProperty("java.class.path"),
              "-d",
              out.toString(),
              "-proc:none");
      boolean compiled =
          compiler.getTask(diagnostics, files, null, options, null, List.of(host)).call();
      assertTrue(compiled, "the sample does not compile:\n" + diagnostics + "\n" + source);
    }
  }
}
