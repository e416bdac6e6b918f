package dev.llmproxy.servlet;

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

  /**
   * Reads the request body (at most the limit and one byte) before any answer is decided. An answer
   * sent over an unread body lets the container close the connection after it, and the client's
   * next request on that kept-alive connection fails. A body over the limit is left unread and the
   * connection is closed after the answer, which then says so.
   */
  static byte[] readBody(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      response.setHeader("Connection", "close");
    }
    return body;
  }

  /** The body read by {@link #readBody} as a JSON object, or what is wrong with it. */
  static JsonNode readObject(byte[] body) throws InvalidRequest {
    if (body.length > MAX_BODY_BYTES) {
      throw new InvalidRequest("Body is too large.");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (IOException e) { // from an array, only ever a JsonProcessingException
      throw new InvalidRequest("Body is not valid JSON.");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequest("Body must be a JSON object.");
    }
    return node;
  }
}
