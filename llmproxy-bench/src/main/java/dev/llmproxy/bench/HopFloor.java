package dev.llmproxy.bench;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.AnthropicSettings;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.core.ledger.InMemoryBudgetLedger;
import dev.llmproxy.jettyclient.JettyUpstreamClient;
import dev.llmproxy.servlet.LlmProxyFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The same hop as the example server with less of llmproxy in it, so the load script can show what
 * each layer costs on this machine:
 *
 * <ul>
 *   <li>{@code servlet}: a plain blocking Jetty servlet forwarding with OkHttp; no llmproxy at all.
 *       The floor for any servlet-hosted Java proxy built on these two libraries.
 *   <li>{@code jetty-proxy}: Jetty's own proxy servlet over Jetty's asynchronous HTTP client,
 *       flushing each chunk: the reference asynchronous Java proxy, no thread per exchange.
 *   <li>{@code engine}: {@link LlmProxy} behind {@link LlmProxyFilter} with a fixed token, an
 *       in-memory ledger and no listeners: the engine without durable state or audit.
 *   <li>{@code engine-virtual}: the same engine with each exchange on a virtual thread (Java 21+).
 *   <li>{@code engine-nio}: the same engine relaying without a blocked thread ({@code
 *       nonBlockingRelay} with {@code llmproxy-jetty-client}).
 * </ul>
 *
 * <p>Usage: {@code HopFloor servlet|jetty-proxy|engine|engine-virtual|engine-nio PORT
 * UPSTREAM_BASE_URL}; serves until killed. In {@code engine} mode any presented token is accepted.
 */
public final class HopFloor {
  private HopFloor() {}

  public static void main(String[] args) throws Throwable {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    String upstream = args[2];
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(port);
    connector.setAcceptQueueSize(4096); // as the example: a burst of streams must not overflow
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    switch (mode) {
      case "servlet" ->
          context.addServlet(new ServletHolder(new ForwardingServlet(upstream)), "/proxy/*");
      case "jetty-proxy" -> {
        ServletHolder proxy = new ServletHolder(new FlushingProxyServlet());
        proxy.setInitParameter("proxyTo", upstream);
        proxy.setInitParameter("prefix", "/proxy/anthropic");
        proxy.setInitParameter(
            "maxConnections", "32768"); // per upstream: every open stream its own connection
        proxy.setAsyncSupported(true);
        context.addServlet(proxy, "/proxy/anthropic/*");
      }
      case "engine", "engine-virtual", "engine-nio" -> {
        FilterHolder filter = new FilterHolder(new LlmProxyFilter(engine(upstream, mode)));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
      }
      default ->
          throw new IllegalArgumentException(
              "mode must be servlet, jetty-proxy, engine, engine-virtual or engine-nio: " + mode);
    }
    server.setHandler(context);
    server.start();
    server.join();
  }

  private static LlmProxy engine(String upstream, String mode) throws Throwable {
    Tiers tiers = Tiers.defaults().withRate("bench", 100_000_000);
    BudgetLedger ledger = new InMemoryBudgetLedger();
    Principal principal = Principal.user("bench", "bench");
    UpstreamCredential key = new UpstreamCredential.ApiKey(Secret.of("sk-ant-bench"), "org_key");
    LlmProxy.Builder builder = LlmProxy.builder();
    if (mode.equals("engine-nio")) { // no thread held while a stream's body waits
      builder.upstreamClient(JettyUpstreamClient.create()).nonBlockingRelay(true);
    }
    if (mode.equals(
        "engine-virtual")) { // Java 21+, looked up so that the module still compiles for 17
      builder.executor(
          (java.util.concurrent.Executor)
              java.lang.invoke.MethodHandles.publicLookup()
                  .findStatic(
                      java.util.concurrent.Executors.class,
                      "newVirtualThreadPerTaskExecutor",
                      java.lang.invoke.MethodType.methodType(
                          java.util.concurrent.ExecutorService.class))
                  .invoke());
    }
    return builder
        .tokenResolver(credential -> TokenResolution.authenticated(principal))
        .credentialStore((p, provider) -> Optional.of(key))
        .budgetLedger(ledger)
        .tiers(tiers)
        .anthropic(new AnthropicSettings(upstream))
        .build();
  }

  /**
   * Jetty's own proxy servlet (Jetty's HTTP client, callbacks rather than a thread per exchange),
   * flushing each upstream chunk so that server-sent events are not held in the response buffer.
   */
  private static final class FlushingProxyServlet
      extends org.eclipse.jetty.ee10.proxy.ProxyServlet.Transparent {
    private static final long serialVersionUID = 1L;

    @Override
    protected void onResponseContent(
        HttpServletRequest request,
        HttpServletResponse response,
        org.eclipse.jetty.client.Response proxyResponse,
        byte[] buffer,
        int offset,
        int length,
        org.eclipse.jetty.util.Callback callback) {
      try {
        OutputStream out = response.getOutputStream();
        out.write(buffer, offset, length);
        out.flush();
        callback.succeeded();
      } catch (Throwable failure) {
        callback.failed(failure);
      }
    }
  }

  /** Forwards {@code /proxy/anthropic/*} to the upstream and copies the answer back. */
  private static final class ForwardingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final MediaType JSON = MediaType.get("application/json");

    private final transient OkHttpClient client = new OkHttpClient();
    private final String upstream;

    ForwardingServlet(String upstream) {
      this.upstream = upstream;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      byte[] body = request.getInputStream().readAllBytes();
      String path = request.getPathInfo().substring("/anthropic".length());
      Request forward =
          new Request.Builder()
              .url(upstream + path)
              .header("x-api-key", "sk-ant-bench")
              .header("anthropic-version", "2023-06-01")
              .post(RequestBody.create(body, JSON))
              .build();
      try (Response answer = client.newCall(forward).execute()) {
        response.setStatus(answer.code());
        response.setContentType(answer.header("content-type"));
        InputStream in = answer.body().byteStream();
        OutputStream out = response.getOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          out.flush();
        }
      }
    }
  }
}
