package dev.llmproxy.bench;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.InMemoryBudgetLedger;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.servlet.LlmProxyFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
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
 *   <li>{@code engine}: {@link LlmProxy} behind {@link LlmProxyFilter} with a fixed token, an
 *       in-memory ledger and no listeners: the engine without durable state or audit.
 * </ul>
 *
 * <p>Usage: {@code HopFloor servlet|engine PORT UPSTREAM_BASE_URL}; serves until killed. In {@code
 * engine} mode any presented token is accepted.
 */
public final class HopFloor {
  private HopFloor() {}

  public static void main(String[] args) throws Exception {
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
      case "engine" -> {
        FilterHolder filter = new FilterHolder(new LlmProxyFilter(engine(upstream)));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
      }
      default -> throw new IllegalArgumentException("mode must be servlet or engine: " + mode);
    }
    server.setHandler(context);
    server.start();
    server.join();
  }

  private static LlmProxy engine(String upstream) {
    Tiers tiers = Tiers.defaults().withRate("bench", 100_000_000);
    BudgetLedger ledger = new InMemoryBudgetLedger(tiers, Clock.systemUTC());
    Principal principal = Principal.user("bench", "bench");
    UpstreamCredential key = new UpstreamCredential.ApiKey(Secret.of("sk-ant-bench"), "org_key");
    return LlmProxy.builder()
        .tokenResolver(credential -> TokenResolution.authenticated(principal))
        .credentialStore((p, provider) -> Optional.of(key))
        .budgetLedger(ledger)
        .tiers(tiers)
        .anthropicBaseUrl(upstream)
        .build();
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
