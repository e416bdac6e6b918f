package dev.llmproxy.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmproxy.api.Secret;
import dev.llmproxy.jdbc.JdbcAuditSink;
import dev.llmproxy.jdbc.JdbcAuditSink.GroupBy;
import dev.llmproxy.jdbc.JdbcAuditSink.UsageRow;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /admin/usage?group_by=user|token|model|team&since=ISO}: usage summed from the audit
 * events (the audit table of every instance on a shared database, else this instance's {@code
 * audit.jsonl}), so it is what the audit log says: {@code 200 {"rows":[{"key","requests",
 * "input_tokens","output_tokens","cost_usd"}]}}, dearest first.
 */
final class AdminUsageServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(AdminUsageServlet.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> COUNTED = Set.of("ok", "upstream_error", "client_cancelled");

  private final transient Secret adminToken;
  private final transient Optional<JdbcAuditSink> table;
  private final transient Path auditFile;

  AdminUsageServlet(Secret adminToken, Optional<JdbcAuditSink> table, Path auditFile) {
    this.adminToken = adminToken;
    this.table = table;
    this.auditFile = auditFile;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String authorization = request.getHeader("Authorization");
    if (authorization == null
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || !adminToken.matches(authorization.substring(7).trim())) {
      error(response, 401, "authentication_error", "Admin token required.");
      return;
    }
    if (!"GET".equals(request.getMethod())) {
      response.setHeader("Allow", "GET");
      error(response, 405, "invalid_request_error", "Only GET is supported.");
      return;
    }
    GroupBy by;
    Instant since;
    try {
      by = GroupBy.parse(Optional.ofNullable(request.getParameter("group_by")).orElse("user"));
      String sinceText = request.getParameter("since");
      since = sinceText == null ? Instant.EPOCH : Instant.parse(sinceText);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      error(
          response,
          400,
          "invalid_request_error",
          "group_by must be user, token, model or team; since an ISO-8601 instant.");
      return;
    }
    List<UsageRow> rows;
    try {
      rows = table.isPresent() ? table.get().usage(by, since) : fromFile(by, since);
    } catch (RuntimeException e) {
      log.warn("Could not read usage: {}", e.toString());
      error(response, 503, "api_error", "Usage cannot be read right now.");
      return;
    }
    ObjectNode body = JSON.createObjectNode();
    ArrayNode out = body.putArray("rows");
    for (UsageRow row : rows) {
      ObjectNode node = out.addObject();
      node.put("key", row.key());
      node.put("requests", row.requests());
      node.put("input_tokens", row.inputTokens());
      node.put("output_tokens", row.outputTokens());
      node.put("cost_usd", BigDecimal.valueOf(row.costNanoUsd(), 9).stripTrailingZeros());
    }
    send(response, 200, body);
  }

  /** Sums this instance's audit file, one line at a time. */
  private List<UsageRow> fromFile(GroupBy by, Instant since) throws IOException {
    Map<String, long[]> sums = new HashMap<>();
    String field =
        switch (by) {
          case USER -> "principal";
          case TOKEN -> "token_id";
          case MODEL -> "model";
          case TEAM -> "team";
        };
    if (Files.exists(auditFile)) {
      try (BufferedReader lines = Files.newBufferedReader(auditFile, StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          try {
            add(sums, JSON.readTree(line), field, since);
          } catch (IOException | RuntimeException e) {
            // a line cut short by a crash, or not written by this version: not usage
          }
        }
      }
    }
    List<UsageRow> rows = new ArrayList<>();
    sums.forEach((key, sum) -> rows.add(new UsageRow(key, sum[0], sum[1], sum[2], sum[3])));
    rows.sort(Comparator.comparingLong(UsageRow::costNanoUsd).reversed());
    return rows;
  }

  private static void add(Map<String, long[]> sums, JsonNode entry, String field, Instant since) {
    if (entry == null
        || !COUNTED.contains(entry.path("outcome").asText())
        || Instant.parse(entry.path("ts").asText()).isBefore(since)) {
      return;
    }
    String key = entry.path(field).isTextual() ? entry.path(field).asText() : null;
    long cost = entry.path("cost_usd").decimalValue().movePointRight(9).longValueExact();
    long[] sum = sums.computeIfAbsent(key, k -> new long[4]);
    sum[0]++;
    sum[1] += entry.path("usage").path("input_tokens").asLong();
    sum[2] += entry.path("usage").path("output_tokens").asLong();
    sum[3] += cost;
  }

  private static void error(HttpServletResponse response, int status, String type, String message)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("type", type).put("message", message);
    send(response, status, body);
  }

  private static void send(HttpServletResponse response, int status, JsonNode body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.getOutputStream().write(JSON.writeValueAsBytes(body));
  }
}
