package dev.llmproxy.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import okhttp3.OkHttp;
import org.junit.jupiter.api.Test;

/** What the starter puts on an application's class path besides its code. */
class StarterClasspathTest {

  /** Boot's BOM must not swap the OkHttp the core was built and tested with. */
  @Test
  void okHttpIsTheVersionOfTheRootPom() {
    assertThat(OkHttp.VERSION).isEqualTo(System.getProperty("llmproxy.okhttp.version"));
  }

  /** Boot's Jackson 2 may be newer than the root pom's, never older. */
  @Test
  void jacksonIsNoOlderThanTheRootPoms() throws IOException {
    java.util.Properties pom = new java.util.Properties();
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream(
                "META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties")) {
      pom.load(in);
    }
    Runtime.Version actual = Runtime.Version.parse(pom.getProperty("version"));
    Runtime.Version root = Runtime.Version.parse(System.getProperty("llmproxy.jackson.version"));
    assertThat(actual.feature()).isEqualTo(2);
    assertThat(actual.compareToIgnoreOptional(root)).isGreaterThanOrEqualTo(0);
  }

  /** IDEs complete {@code llmproxy.*} from the metadata the configuration processor writes. */
  @Test
  void configurationMetadataDescribesTheProperties() throws IOException {
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      String metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(metadata)
          .contains("\"llmproxy.mount-path\"")
          .contains("\"llmproxy.anthropic.api-key\"")
          .contains("\"llmproxy.tiers\"")
          .contains("where the proxy routes live");
    }
  }

  /** The filter's abort on Spring Boot's default container comes with the starter. */
  @Test
  void tomcatSupportIsOnTheClassPath() {
    assertThat(
            getClass()
                .getClassLoader()
                .getResource("META-INF/services/dev.llmproxy.servlet.ContainerSupport"))
        .isNotNull();
  }
}
