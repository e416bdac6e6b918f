package dev.llmproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.core.AnthropicSettings;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The filter embedded in a host app the way README.md shows (the listener below is the README
 * snippet), in a real Jetty with the host's own servlets beside it.
 */
class EmbeddingTest {
  private static final String TOKEN = "app-token-of-alice";
  private static final String ORG_KEY = "sk-ant-org-key";

  private final MockWebServer upstream = new MockWebServer();
  private final HttpClient http = HttpClient.newHttpClient();
  private Server server;
  private LlmProxy proxy;

  /** The host's own user table. */
  record User(String id, String plan) {}

  static final class Users {
    private final Map<String, User> byToken = Map.of(TOKEN, new User("alice", "pro"));

    Optional<User> findByApiToken(String token) {
      return Optional.ofNullable(byToken.get(token));
    }
  }

  /** README.md's "Embed it in your web app" snippet; only the key and the upstream URL differ. */
  final class HostSetup implements ServletContextListener {
    private final Users users = new Users();
    private final String mount;

    HostSetup(String mount) {
      this.mount = mount;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
      ServletContext servletContext = event.getServletContext();
      LlmProxy proxy =
          LlmProxy.builder()
              .anthropic(new AnthropicSettings(upstream.url("/").toString()))
              .tokenResolver(
                  credential ->
                      users
                          .findByApiToken(credential.token().reveal())
                          .map(
                              user ->
                                  TokenResolution.authenticated(
                                      Principal.user(user.id(), user.plan())))
                          .orElse(TokenResolution.rejected(TokenResolution.Reason.UNKNOWN)))
              .credentialStore(
                  SharedCredentialStore.empty().withApiKey(ProviderId.ANTHROPIC, ORG_KEY))
              .build();

      FilterRegistration.Dynamic filter =
          servletContext.addFilter("llmproxy", new LlmProxyFilter(proxy, mount));
      filter.setAsyncSupported(true);
      filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
      EmbeddingTest.this.proxy = proxy;
    }
  }

  /** A servlet of the host app that must keep working beside the proxy. */
  static final class AppServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType("text/plain");
      response.getWriter().write("app:" + request.getRequestURI());
    }
  }

  private String start(String mount) throws Exception {
    upstream.start();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/app");
    context.addEventListener(new HostSetup(mount));
    context.addServlet(new ServletHolder(new AppServlet()), "/*");
    server.setHandler(context);
    server.start();
    return "http://localhost:" + connector.getLocalPort() + "/app";
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    if (proxy != null) {
      proxy.close();
    }
    upstream.close();
  }

  @Test
  void proxiesUnderTheMountAndLeavesTheHostsRoutesAlone() throws Exception {
    String base = start("/proxy");
    upstream.enqueue(new MockResponse.Builder().body("{\"ok\":true}").build());

    HttpResponse<String> proxied =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/proxy/anthropic/v1/messages"))
                .header("x-api-key", TOKEN)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, proxied.statusCode());
    assertEquals("{\"ok\":true}", proxied.body());
    RecordedRequest seen = upstream.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("/v1/messages", seen.getTarget());
    assertEquals(ORG_KEY, seen.getHeaders().get("x-api-key"));

    for (String path : new String[] {"/index", "/proxyish/anthropic", "/other/proxy/anthropic"}) {
      HttpResponse<String> app =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals("app:/app" + path, app.body());
    }
    assertEquals(1, upstream.getRequestCount());
  }

  @Test
  void theMountPathIsConfigurable() throws Exception {
    String base = start("/llm");
    upstream.enqueue(new MockResponse.Builder().body("{}").build());
    HttpResponse<String> proxied =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/llm/anthropic/v1/models"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, proxied.statusCode());
    assertNull(upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("authorization"));
    HttpResponse<String> old =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/proxy/anthropic/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("app:/app/proxy/anthropic/v1/models", old.body());
  }
}
