package dev.llmproxy.servlet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** JSON bodies and errors for the management endpoints. */
final class JsonResponses {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Management bodies are small; anything larger is refused before parsing. */
  private static final int MAX_BODY_BYTES = 64 * 1024;

  private JsonResponses() {}

  static void send(HttpServletResponse response, int status, Object body) throws IOException {
    byte[] bytes = MAPPER.writeValueAsBytes(body);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
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

  /** The request body as a JSON object, or an {@link InvalidRequest} saying what is wrong. */
  static JsonNode readObject(HttpServletRequest request) throws IOException, InvalidRequest {
    byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      throw new InvalidRequest("Body is too large.");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidRequest("Body is not valid JSON.");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequest("Body must be a JSON object.");
    }
    return node;
  }
}
