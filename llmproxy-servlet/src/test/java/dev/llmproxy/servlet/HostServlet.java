package dev.llmproxy.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The host application's own servlet. It echoes what reached it (method, URI, query and body) and
 * marks its answers, so a test can tell that the filter let a request through untouched.
 */
final class HostServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** The header every answer of the host carries. */
  static final String MARK = "x-served-by";

  /** What the host answers to {@code method} on {@code requestUri} with {@code body}. */
  static String echo(String method, String requestUri, String body) {
    return "host " + method + " " + requestUri + "\n" + body;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String query = request.getQueryString();
    String uri = request.getRequestURI() + (query == null ? "" : "?" + query);
    String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setContentType("text/plain;charset=utf-8");
    response.setHeader(MARK, "host");
    response.getWriter().write(echo(request.getMethod(), uri, body));
  }
}
