package dev.llmproxy.example;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Serves the {@code /me/proxy} page and the {@code /admin} console, and their scripts and
 * stylesheets, from the jar, with a strict content security policy: no inline script, no
 * third-party origins.
 */
final class StaticPageServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private record Asset(String contentType, byte[] bytes) {}

  private static final Map<String, Asset> ASSETS =
      Map.of(
          "/me/proxy", load("me-proxy.html", "text/html; charset=utf-8"),
          "/me/proxy.js", load("me-proxy.js", "text/javascript; charset=utf-8"),
          "/me/proxy.css", load("me-proxy.css", "text/css; charset=utf-8"),
          "/admin", load("admin.html", "text/html; charset=utf-8"),
          "/admin/console.js", load("admin.js", "text/javascript; charset=utf-8"),
          "/admin/console.css", load("admin.css", "text/css; charset=utf-8"));

  private static Asset load(String name, String contentType) {
    try (InputStream in = StaticPageServlet.class.getResourceAsStream("web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing page resource " + name);
      }
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Asset asset = ASSETS.get(request.getServletPath());
    if (asset == null) {
      response.sendError(404);
      return;
    }
    response.setContentType(asset.contentType());
    response.setHeader(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(asset.bytes().length);
    response.getOutputStream().write(asset.bytes());
  }
}
