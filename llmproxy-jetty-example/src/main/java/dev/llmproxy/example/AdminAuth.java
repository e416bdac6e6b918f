package dev.llmproxy.example;

import dev.llmproxy.api.Secret;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The admin token check of the example's own admin routes ({@code /metrics}, {@code /admin/audit}).
 */
final class AdminAuth {
  private AdminAuth() {}

  /** Whether {@code request} carries {@code Authorization: Bearer <admin token>}. */
  static boolean allows(HttpServletRequest request, Secret adminToken) {
    String authorization = request.getHeader("Authorization");
    return authorization != null
        && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && adminToken.matches(authorization.substring(7).trim());
  }

  /** Answers 401 in the admin API's error shape. */
  static void refuse(HttpServletResponse response) throws IOException {
    byte[] body =
        "{\"error\":{\"type\":\"authentication_error\",\"message\":\"Admin token required.\"}}"
            .getBytes(StandardCharsets.UTF_8);
    response.setStatus(401);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
