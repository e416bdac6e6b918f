package dev.llmproxy.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module arrows of docs/architecture.md, checked on every module's compiled classes: each
 * module uses only the modules below it, only core reaches core's internals, every class lives in
 * its own module's package (no split packages), and the small modules stay free of the big
 * libraries.
 */
class LayeringTest {
  /** Each module's package root and the modules it may use. */
  private static final Map<String, Module> MODULES = new LinkedHashMap<>();

  record Module(String dir, String root, Set<String> mayUse) {}

  static {
    add("llmproxy-api", "dev.llmproxy.api");
    add("llmproxy-testing", "dev.llmproxy.testing", "llmproxy-api");
    add("llmproxy-core", "dev.llmproxy.core", "llmproxy-api");
    add("llmproxy-servlet", "dev.llmproxy.servlet", "llmproxy-api", "llmproxy-core");
    add("llmproxy-jetty", "dev.llmproxy.jetty", "llmproxy-servlet");
    add("llmproxy-tomcat", "dev.llmproxy.tomcat", "llmproxy-servlet");
    add("llmproxy-jetty-client", "dev.llmproxy.jettyclient", "llmproxy-api");
    add("llmproxy-jdbc", "dev.llmproxy.jdbc", "llmproxy-api");
    add("llmproxy-micrometer", "dev.llmproxy.micrometer", "llmproxy-api");
    add("llmproxy-opentelemetry", "dev.llmproxy.opentelemetry", "llmproxy-api");
    add(
        "llmproxy-spring-boot-starter",
        "dev.llmproxy.spring",
        "llmproxy-api",
        "llmproxy-core",
        "llmproxy-servlet");
    add(
        "llmproxy-jetty-example",
        "dev.llmproxy.example",
        "llmproxy-api",
        "llmproxy-core",
        "llmproxy-servlet",
        "llmproxy-jetty",
        "llmproxy-jetty-client",
        "llmproxy-jdbc",
        "llmproxy-micrometer");
    add(
        "llmproxy-spring-example",
        "dev.llmproxy.springexample",
        "llmproxy-api",
        "llmproxy-core",
        "llmproxy-servlet",
        "llmproxy-jdbc",
        "llmproxy-spring-boot-starter");
    add(
        "llmproxy-bench",
        "dev.llmproxy.bench",
        "llmproxy-api",
        "llmproxy-core",
        "llmproxy-servlet",
        "llmproxy-jetty-client");
  }

  private static void add(String dir, String root, String... mayUse) {
    MODULES.put(dir, new Module(dir, root, Set.of(mayUse)));
  }

  private static final Map<String, JavaClasses> byModule = new LinkedHashMap<>();
  private static JavaClasses all;

  @BeforeAll
  static void importClasses() {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    List<Path> dirs = new ArrayList<>();
    for (Module module : MODULES.values()) {
      Path classes = repo.resolve(module.dir()).resolve("target/classes");
      assertTrue(Files.isDirectory(classes), "not built yet: " + classes);
      dirs.add(classes);
      byModule.put(module.dir(), new ClassFileImporter().importPath(classes));
    }
    all = new ClassFileImporter().importPaths(dirs);
  }

  @Test
  void everyModuleWithCodeIsChecked() throws Exception {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    Matcher module =
        Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(repo.resolve("pom.xml")));
    while (module.find()) {
      String dir = module.group(1);
      if (Files.isDirectory(repo.resolve(dir).resolve("src/main/java"))) {
        assertTrue(
            MODULES.containsKey(dir), dir + " has code but no place in LayeringTest.MODULES");
      }
    }
  }

  @Test
  void eachModuleUsesOnlyTheModulesBelowIt() {
    for (Module module : MODULES.values()) {
      List<String> forbidden = new ArrayList<>();
      for (Module other : MODULES.values()) {
        if (!other.equals(module) && !module.mayUse().contains(other.dir())) {
          forbidden.add(other.root() + "..");
        }
      }
      noClasses()
          .that()
          .resideInAPackage(module.root() + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(forbidden.toArray(String[]::new))
          .because(module.dir() + " may use only " + module.mayUse())
          .check(all);
    }
  }

  @Test
  void onlyCoreReachesCoresInternals() {
    classes()
        .that()
        .resideInAPackage("dev.llmproxy.core.internal..")
        .should()
        .onlyBeAccessed()
        .byAnyPackage("dev.llmproxy.core..")
        .because("the internal packages are not API: a host, an adapter or a store never sees them")
        .check(all);
  }

  @Test
  void everyClassLivesInItsOwnModulesPackage() {
    for (Module module : MODULES.values()) {
      classes()
          .should()
          .resideInAPackage(module.root() + "..")
          .because("a class of " + module.dir() + " elsewhere would be a split package")
          .allowEmptyShould(true)
          .check(byModule.get(module.dir()));
    }
  }

  @Test
  void theApiDependsOnTheJdkOnly() {
    classes()
        .that()
        .resideInAPackage("dev.llmproxy.api..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.llmproxy.api..")
        .check(all);
  }

  @Test
  void theJdbcStoresNeedNoHttpJsonCacheOrCryptoLibrary() {
    classes()
        .that()
        .resideInAPackage("dev.llmproxy.jdbc..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "javax.sql..",
            "org.slf4j..",
            "io.github.resilience4j..",
            "dev.llmproxy.api..",
            "dev.llmproxy.jdbc..")
        .check(all);
  }

  @Test
  void theMetricsNeedTheApiAndMicrometerAlone() {
    classes()
        .that()
        .resideInAPackage("dev.llmproxy.micrometer..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..", "io.micrometer..", "dev.llmproxy.api..", "dev.llmproxy.micrometer..")
        .check(all);
  }

  @Test
  void theTracesNeedTheApiAndTheOpenTelemetryApiAlone() {
    classes()
        .that()
        .resideInAPackage("dev.llmproxy.opentelemetry..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.opentelemetry.api..",
            "io.opentelemetry.context..",
            "dev.llmproxy.api..",
            "dev.llmproxy.opentelemetry..")
        .check(all);
  }

  @Test
  void coreNeedsNoMetricsOrTracingLibrary() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.llmproxy.api..", "dev.llmproxy.core..", "dev.llmproxy.servlet..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer..", "io.opentelemetry..")
        .check(all);
  }

  @Test
  void coreKnowsNoContainerAndNoDatabase() {
    noClasses()
        .that()
        .resideInAPackage("dev.llmproxy.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "jakarta.servlet..", "org.eclipse.jetty..", "org.apache.catalina..", "java.sql..")
        .check(all);
  }

  @Test
  void theServletAdapterNeedsNoParticularContainer() {
    noClasses()
        .that()
        .resideInAPackage("dev.llmproxy.servlet..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.eclipse.jetty..", "org.apache.catalina..", "org.apache.coyote..")
        .check(all);
  }
}
