package dev.llmproxy.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** JSON bodies and errors for the management endpoints. */
final class JsonResponses {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonResponses() {}

  static void send(HttpServletResponse response, int status, Object body) throws IOException {
    byte[] bytes = MAPPER.writeValueAsBytes(body);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** Anthropic-style error envelope: the management API is a sibling of the Anthropic route. */
  static void error(HttpServletResponse response, int status, String type, String message)
      throws IOException {
    send(
        response,
        status,
        Map.of("type", "error", "error", Map.of("type", type, "message", message)));
  }
}
