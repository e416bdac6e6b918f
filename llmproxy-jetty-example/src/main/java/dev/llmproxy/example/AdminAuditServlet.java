package dev.llmproxy.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmproxy.api.Secret;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /admin/audit?limit=N&user=&model=&provider=&outcome=&status=}: the last {@code N}
 * (default 50, at most 500) lines of this instance's audit log that match every filter given,
 * newest first: {@code 200 {"exchanges":[<audit line>...]}}. The lines are the audit log's own: no
 * secrets, no bodies.
 */
final class AdminAuditServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  /** Query parameter to audit-line field. */
  private static final Map<String, String> FILTERS = new LinkedHashMap<>();

  static {
    FILTERS.put("user", "principal");
    FILTERS.put("model", "model");
    FILTERS.put("provider", "provider");
    FILTERS.put("outcome", "outcome");
    FILTERS.put("status", "status");
    FILTERS.put("token_id", "token_id");
  }

  private final transient Secret adminToken;
  private final transient Path auditFile;
  private final transient Runnable flush;

  /**
   * @param flush writes the audit events still queued, so the answer includes the latest ones
   */
  AdminAuditServlet(Secret adminToken, Path auditFile, Runnable flush) {
    this.adminToken = adminToken;
    this.auditFile = auditFile;
    this.flush = flush;
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
    int limit;
    try {
      String text = request.getParameter("limit");
      limit = text == null ? DEFAULT_LIMIT : Integer.parseInt(text);
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      send(response, 400, error("limit must be a whole number from 1 to " + MAX_LIMIT + "."));
      return;
    }
    Map<String, String> wanted = new LinkedHashMap<>();
    FILTERS.forEach(
        (parameter, field) -> {
          String value = request.getParameter(parameter);
          if (value != null && !value.isBlank()) {
            wanted.put(field, value.trim());
          }
        });
    flush.run();
    Deque<JsonNode> last = new ArrayDeque<>(limit);
    if (Files.exists(auditFile)) {
      try (BufferedReader lines = Files.newBufferedReader(auditFile, StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          JsonNode entry;
          try {
            entry = JSON.readTree(line);
          } catch (IOException e) {
            continue; // a line cut short by a crash
          }
          if (entry != null && entry.isObject() && matches(entry, wanted)) {
            if (last.size() == limit) {
              last.removeFirst();
            }
            last.addLast(entry);
          }
        }
      }
    }
    ObjectNode body = JSON.createObjectNode();
    ArrayNode out = body.putArray("exchanges");
    for (Iterator<JsonNode> newest = last.descendingIterator(); newest.hasNext(); ) {
      out.add(newest.next());
    }
    send(response, 200, body);
  }

  private static boolean matches(JsonNode entry, Map<String, String> wanted) {
    for (Map.Entry<String, String> filter : wanted.entrySet()) {
      if (!filter.getValue().equals(entry.path(filter.getKey()).asText())) {
        return false;
      }
    }
    return true;
  }

  private static ObjectNode error(String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("type", "invalid_request_error").put("message", message);
    return body;
  }

  private static void send(HttpServletResponse response, int status, JsonNode body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.getOutputStream().write(JSON.writeValueAsBytes(body));
  }
}
