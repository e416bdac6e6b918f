package dev.llmproxy.springexample;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot application with its own users that serves llmproxy under {@code /proxy}: the
 * starter builds the proxy from the beans in {@link ProxyConfiguration}. {@code --demo} adds a
 * built-in fake Anthropic upstream and a seeded demo user.
 */
@SpringBootApplication
public class SpringExampleApplication {

  /** Runs the application; {@code --demo} for the built-in fake upstream. */
  public static void main(String[] args) throws Exception {
    run(args);
  }

  /** Starts the application with {@code args} ({@code --demo} understood) and returns it. */
  static ConfigurableApplicationContext run(String... args) throws IOException {
    List<String> arguments = new ArrayList<>(Arrays.asList(args));
    if (arguments.remove("--demo")) {
      DemoUpstream upstream = DemoUpstream.start(); // lives as long as the JVM
      arguments.add("--llmproxy.anthropic.base-url=" + upstream.baseUrl());
      arguments.add("--llmproxy.anthropic.api-key=" + DemoUpstream.DEMO_KEY);
      arguments.add("--app.demo=true");
    }
    return SpringApplication.run(SpringExampleApplication.class, arguments.toArray(String[]::new));
  }
}
