package dev.llmproxy.example;

import dev.llmproxy.api.Secret;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} behind the admin token: the proxy's meters ({@code llmproxy-micrometer}) in
 * Prometheus text format. A scraper sends {@code Authorization: Bearer <admin token>} (Prometheus:
 * {@code authorization: {credentials_file: ...}}).
 */
final class MetricsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final transient Secret adminToken;
  private final transient PrometheusMeterRegistry registry;

  MetricsServlet(Secret adminToken, PrometheusMeterRegistry registry) {
    this.adminToken = adminToken;
    this.registry = registry;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!AdminAuth.allows(request, adminToken)) {
      AdminAuth.refuse(response);
      return;
    }
    if (!"GET".equals(request.getMethod())) {
      response.setHeader("Allow", "GET");
      response.sendError(405);
      return;
    }
    byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setContentType(CONTENT_TYPE);
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
