package dev.llmproxy.springexample;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * In {@code --demo} mode: a fresh demo user on the {@code team} plan, whose token, the client setup
 * and a streaming {@code curl} line are printed once the server listens.
 */
@Component
@ConditionalOnBooleanProperty("app.demo")
class DemoSeed implements ApplicationRunner {
  private final Users users;
  private final JdbcClient jdbc;
  private final Environment environment;

  DemoSeed(Users users, JdbcClient jdbc, Environment environment) {
    this.users = users;
    this.jdbc = jdbc;
    this.environment = environment;
  }

  @Override
  public void run(ApplicationArguments args) {
    jdbc.sql("DELETE FROM users WHERE name = 'demo'").update(); // only its hash was kept
    Users.Created demo = users.create("demo", "team");
    String base =
        "http://localhost:" + environment.getProperty("local.server.port", "8080") + "/proxy";
    String token = demo.token().reveal();
    System.out.println(
        """

        llmproxy Spring example, demo mode (a built-in fake Anthropic upstream; no key, no network)
          demo user: demo (plan team), proxy token: %1$s
          ANTHROPIC_BASE_URL=%2$s/anthropic ANTHROPIC_API_KEY=%1$s
          curl -N %2$s/anthropic/v1/messages -H 'x-api-key: %1$s' \\
            -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' \\
            -d '{"model":"claude-haiku-4-5","max_tokens":64,"stream":true,\
        "messages":[{"role":"user","content":"Hello from Spring"}]}'
        """
            .formatted(token, base));
  }
}
