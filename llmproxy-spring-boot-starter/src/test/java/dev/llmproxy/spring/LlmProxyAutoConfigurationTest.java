package dev.llmproxy.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.ProxyListener;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.OkHttpUpstreamClient;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.servlet.LlmProxyFilter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the auto-configuration builds, from which beans and properties, and when it backs off. */
class LlmProxyAutoConfigurationTest {
  private static final String TOKEN = "token-of-alice";
  private static final String MESSAGES =
      "{\"model\":\"claude-test\",\"max_tokens\":16,\"messages\":[]}";

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(LlmProxyAutoConfiguration.class));

  private HttpServer upstream;
  private final BlockingQueue<String> upstreamKeys = new LinkedBlockingQueue<>();

  /** A real upstream on a random loopback port that records the key it was sent. */
  @BeforeEach
  void startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          String key = exchange.getRequestHeaders().getFirst("x-api-key");
          upstreamKeys.add(key == null ? "none" : key);
          byte[] body = "{\"id\":\"msg_1\"}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("content-type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    upstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop(0);
  }

  private String upstreamUrl() {
    return "http://127.0.0.1:" + upstream.getAddress().getPort();
  }

  @Test
  void defaultsGiveAProxyWithAnInMemoryLedgerAndTheDefaultTiers() {
    runner
        .withUserConfiguration(Users.class)
        .withPropertyValues(
            "llmproxy.anthropic.base-url=" + upstreamUrl(),
            "llmproxy.anthropic.api-key=sk-ant-shared")
        .run(
            context -> {
              assertThat(context).hasSingleBean(LlmProxy.class);
              assertThat(context).hasSingleBean(OkHttpUpstreamClient.class);
              LlmProxyProperties properties = context.getBean(LlmProxyProperties.class);
              assertThat(properties.mountPath()).isEqualTo("/proxy");
              assertThat(properties.maxRequestBody().toMegabytes()).isEqualTo(32);
              assertThat(properties.filterOrder()).isEqualTo(-10_100);

              RecordingExchange exchange = send(context.getBean(LlmProxy.class), TOKEN);
              assertThat(exchange.awaitStatus()).isEqualTo(200);
              assertThat(exchange.body()).isEqualTo("{\"id\":\"msg_1\"}");
              // "pro" is a default tier at 300 a minute, and the default ledger counts it.
              assertThat(exchange.header("x-ratelimit-limit")).isEqualTo("300");
              assertThat(exchange.header("x-ratelimit-remaining")).isEqualTo("299");
              assertThat(upstreamKeys.poll(5, TimeUnit.SECONDS)).isEqualTo("sk-ant-shared");
            });
  }

  @Test
  void anUnknownTokenIsRefusedByTheApplicationsResolver() {
    runner
        .withUserConfiguration(Users.class)
        .withPropertyValues("llmproxy.anthropic.base-url=" + upstreamUrl())
        .run(
            context -> {
              RecordingExchange exchange = send(context.getBean(LlmProxy.class), "not-a-token");
              assertThat(exchange.awaitStatus()).isEqualTo(401);
              assertThat(upstreamKeys).isEmpty();
            });
  }

  @Test
  void propertiesDeclareTiersAndTheirRates() {
    runner
        .withUserConfiguration(GoldUsers.class)
        .withPropertyValues(
            "llmproxy.anthropic.base-url=" + upstreamUrl(),
            "llmproxy.anthropic.api-key=sk-ant-shared",
            "llmproxy.tiers.gold.rate=7",
            "llmproxy.tiers.gold.token-rate=5000",
            "llmproxy.budget-zone=Europe/Berlin",
            "llmproxy.tiers.pro.models=claude-haiku-*",
            "llmproxy.prices[claude-test].input=1",
            "llmproxy.prices[claude-test].output=2",
            "llmproxy.max-request-body=1KB",
            "llmproxy.mount-path=/llm")
        .run(
            context -> {
              LlmProxy proxy = context.getBean(LlmProxy.class);
              RecordingExchange gold = send(proxy, TOKEN);
              assertThat(gold.awaitStatus()).isEqualTo(200);
              assertThat(gold.header("x-ratelimit-limit")).isEqualTo("7");
              assertThat(gold.header("x-ratelimit-limit-tokens")).isEqualTo("5000");
              assertThat(context.getBean(LlmProxyProperties.class).budgetZone())
                  .isEqualTo("Europe/Berlin");

              RecordingExchange tooLarge =
                  new RecordingExchange(
                      "/anthropic/v1/messages",
                      TOKEN,
                      "{\"model\":\"claude-test\",\"system\":\"" + "x".repeat(2000) + "\"}");
              proxy.handle(tooLarge);
              assertThat(tooLarge.awaitStatus()).isEqualTo(413);
              assertThat(context.getBean(LlmProxyProperties.class).mountPath()).isEqualTo("/llm");
            });
  }

  @Test
  void propertiesDeclarePoolsThatFailOverToTheNextMember() throws IOException {
    // A first member whose port refuses connections: the request moves to the second.
    int refused;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      refused = closed.getLocalPort();
    }
    runner
        .withUserConfiguration(Users.class)
        .withPropertyValues(
            "llmproxy.anthropic.base-url=" + upstreamUrl(),
            "llmproxy.anthropic.api-key=sk-ant-shared",
            "llmproxy.pools[0].provider=anthropic",
            "llmproxy.pools[0].strategy=fill-first",
            "llmproxy.pools[0].members[0].id=down",
            "llmproxy.pools[0].members[0].api-key=sk-ant-down",
            "llmproxy.pools[0].members[0].base-url=http://127.0.0.1:" + refused,
            "llmproxy.pools[0].members[1].id=up",
            "llmproxy.pools[0].members[1].api-key=sk-ant-up")
        .run(
            context -> {
              LlmProxy proxy = context.getBean(LlmProxy.class);
              RecordingExchange exchange = send(proxy, TOKEN);
              assertThat(exchange.awaitStatus()).isEqualTo(200);
              assertThat(upstreamKeys.poll(10, TimeUnit.SECONDS))
                  .as("the pool's second member, not the shared key")
                  .isEqualTo("sk-ant-up");
              assertThat(proxy.poolStates().get("anthropic")).hasSize(2);
              assertThat(proxy.poolStates().toString()).doesNotContain("sk-ant-");
            });
  }

  @Test
  void aTierNotDeclaredIsRefused() {
    runner
        .withUserConfiguration(GoldUsers.class)
        .withPropertyValues("llmproxy.anthropic.base-url=" + upstreamUrl())
        .run(
            context -> {
              RecordingExchange exchange = send(context.getBean(LlmProxy.class), TOKEN);
              assertThat(exchange.awaitStatus()).isEqualTo(403);
              assertThat(exchange.body()).contains("permission_error");
            });
  }

  @Test
  void theApplicationsLedgerListenersAndExecutorAreUsed() {
    runner
        .withUserConfiguration(Users.class, Extras.class)
        .withPropertyValues(
            "llmproxy.anthropic.base-url=" + upstreamUrl(),
            "llmproxy.anthropic.api-key=sk-ant-shared")
        .run(
            context -> {
              Extras extras = context.getBean(Extras.class);
              RecordingExchange exchange = send(context.getBean(LlmProxy.class), TOKEN);
              assertThat(exchange.awaitStatus()).isEqualTo(200);
              assertThat(exchange.header("x-ratelimit-limit")).isNull(); // the unlimited ledger
              ProxyEvent event = extras.events.poll(5, TimeUnit.SECONDS);
              assertThat(event).isNotNull();
              assertThat(event.principalId()).contains("alice");
              assertThat(extras.executed.get()).isEqualTo(1);
            });
  }

  @Test
  void backsOffWhenTheApplicationBuildsItsOwnProxy() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LlmProxyAutoConfiguration.class))
        .withUserConfiguration(OwnProxy.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(LlmProxy.class);
              assertThat(context.getBean(LlmProxy.class))
                  .isSameAs(context.getBean(OwnProxy.class).proxy);
              assertThat(context).doesNotHaveBean(OkHttpUpstreamClient.class);
              assertThat(context).hasBean("llmProxyFilterRegistration");
            });
  }

  @Test
  void inAServletAppTheFilterIsRegisteredAsyncBeforeSpringSecurity() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LlmProxyAutoConfiguration.class))
        .withUserConfiguration(Users.class)
        .run(
            context -> {
              FilterRegistrationBean<?> registration =
                  context.getBean("llmProxyFilterRegistration", FilterRegistrationBean.class);
              assertThat(registration.getFilter()).isInstanceOf(LlmProxyFilter.class);
              assertThat(registration.isAsyncSupported()).isTrue();
              assertThat(registration.getUrlPatterns()).containsExactly("/*");
              // Spring Security's chain is at -100 (SecurityProperties.DEFAULT_FILTER_ORDER)
              assertThat(registration.getOrder()).isLessThan(-100);
            });
  }

  @Test
  void outsideAServletAppNoFilterIsRegistered() {
    runner
        .withUserConfiguration(Users.class)
        .run(context -> assertThat(context).doesNotHaveBean("llmProxyFilterRegistration"));
  }

  @Test
  void turnedOffByProperty() {
    runner
        .withUserConfiguration(Users.class)
        .withPropertyValues("llmproxy.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(LlmProxy.class));
  }

  @Test
  void withoutATokenResolverStartupFailsWithAnExplanation() {
    runner.run(
        context -> {
          assertThat(context).hasFailed();
          Throwable failure = context.getStartupFailure();
          FailureAnalysis analysis = new LlmProxyFailureAnalyzer().analyze(failure);
          assertThat(analysis).isNotNull();
          assertThat(analysis.getDescription())
              .contains("no bean of type dev.llmproxy.api.TokenResolver");
          assertThat(analysis.getAction()).contains("@Bean of type dev.llmproxy.api.TokenResolver");
        });
  }

  @Test
  void theFailureAnalyzerIsRegisteredForSpringBootToFind() throws IOException {
    var factories =
        getClass().getClassLoader().getResources("META-INF/spring.factories").asIterator();
    StringBuilder all = new StringBuilder();
    factories.forEachRemaining(
        url -> {
          try (var in = url.openStream()) {
            all.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    assertThat(all.toString()).contains(LlmProxyFailureAnalyzer.class.getName());
  }

  @Test
  void closingTheContextClosesTheProxy() {
    LlmProxy[] proxy = new LlmProxy[1];
    runner
        .withUserConfiguration(Users.class)
        .withPropertyValues("llmproxy.anthropic.base-url=" + upstreamUrl())
        .run(context -> proxy[0] = context.getBean(LlmProxy.class));

    RecordingExchange late = send(proxy[0], TOKEN);
    assertThat(awaitQuietly(late)).isEqualTo(529); // a closed proxy answers overloaded
    assertThat(upstreamKeys).isEmpty();
  }

  private static int awaitQuietly(RecordingExchange exchange) {
    try {
      return exchange.awaitStatus();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static RecordingExchange send(LlmProxy proxy, String token) {
    RecordingExchange exchange = new RecordingExchange("/anthropic/v1/messages", token, MESSAGES);
    proxy.handle(exchange);
    return exchange;
  }

  private static TokenResolver resolverFor(String tier) {
    return credential ->
        TOKEN.equals(credential.token().reveal())
            ? TokenResolution.authenticated(Principal.user("alice", tier))
            : TokenResolution.rejected(TokenResolution.Reason.UNKNOWN);
  }

  @Configuration(proxyBeanMethods = false)
  static class Users {
    @Bean
    TokenResolver tokenResolver() {
      return resolverFor("pro");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class GoldUsers {
    @Bean
    TokenResolver tokenResolver() {
      return resolverFor("gold");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Extras {
    final BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
    final AtomicInteger executed = new AtomicInteger();

    @Bean
    BudgetLedger budgetLedger() {
      return BudgetLedger.unlimited();
    }

    @Bean
    ProxyListener recordingListener() {
      return events::add;
    }

    @Bean(LlmProxyAutoConfiguration.EXECUTOR_BEAN)
    Executor llmProxyExecutor() {
      return task -> {
        executed.incrementAndGet();
        Thread thread = new Thread(task, "app-exchange");
        thread.setDaemon(true);
        thread.start();
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnProxy {
    final LlmProxy proxy =
        LlmProxy.builder()
            .tokenResolver(resolverFor("pro"))
            .credentialStore(SharedCredentialStore.empty())
            .build();

    @Bean(destroyMethod = "close")
    LlmProxy ownProxy() {
      return proxy;
    }
  }
}
