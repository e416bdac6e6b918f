package dev.llmproxy.servlet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Secret;
import dev.llmproxy.core.IssuedToken;
import dev.llmproxy.core.IssuedTokens;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code /admin/tokens}: issue ({@code POST}), list ({@code GET}) and revoke ({@code DELETE
 * /admin/tokens/{id}}) proxy tokens. Requires {@code Authorization: Bearer <admin token>}. Mount it
 * at {@code /admin/tokens/*}.
 */
public final class AdminTokensServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient IssuedTokens tokens;
  private final transient Secret adminToken;
  private final String defaultTier;

  public AdminTokensServlet(IssuedTokens tokens, Secret adminToken, String defaultTier) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
    this.defaultTier = Objects.requireNonNull(defaultTier, "defaultTier");
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!isAdmin(request)) {
      JsonResponses.error(response, 401, "authentication_error", "Admin token required.");
      return;
    }
    String id = idFromPath(request);
    switch (request.getMethod()) {
      case "POST" -> {
        if (id != null) {
          notAllowed(response);
        } else {
          issue(request, response);
        }
      }
      case "GET" -> {
        if (id != null) {
          notAllowed(response);
        } else {
          JsonResponses.send(
              response,
              200,
              Map.of("tokens", tokens.list().stream().map(AdminTokensServlet::view).toList()));
        }
      }
      case "DELETE" -> {
        if (id == null) {
          notAllowed(response);
        } else if (tokens.revoke(id)) {
          response.setStatus(204);
        } else {
          JsonResponses.error(response, 404, "not_found_error", "No token with id " + id + ".");
        }
      }
      default -> notAllowed(response);
    }
  }

  private void issue(HttpServletRequest request, HttpServletResponse response) throws IOException {
    JsonNode body;
    try {
      body = JsonResponses.MAPPER.readTree(request.getInputStream());
    } catch (JsonProcessingException e) {
      JsonResponses.error(response, 400, "invalid_request_error", "Body is not valid JSON.");
      return;
    }
    if (body == null || !body.isObject()) {
      JsonResponses.error(response, 400, "invalid_request_error", "Body must be a JSON object.");
      return;
    }
    JsonNode user = body.get("user");
    if (user == null || !user.isTextual() || user.asText().isBlank()) {
      JsonResponses.error(
          response, 400, "invalid_request_error", "Field 'user' is required and must be a string.");
      return;
    }
    JsonNode tier = body.get("tier");
    if (tier != null && !tier.isNull() && (!tier.isTextual() || tier.asText().isBlank())) {
      JsonResponses.error(response, 400, "invalid_request_error", "Field 'tier' must be a string.");
      return;
    }
    IssuedToken.Issued issued =
        tokens.issue(user.asText(), tier == null || tier.isNull() ? defaultTier : tier.asText());
    Map<String, Object> view = view(issued.record());
    view.put("token", issued.token().reveal());
    JsonResponses.send(response, 201, view);
  }

  private static Map<String, Object> view(IssuedToken token) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", token.id());
    view.put("user", token.user());
    view.put("tier", token.tier());
    view.put("revoked", token.revoked());
    view.put("created_at", token.createdAt().toString());
    return view;
  }

  private boolean isAdmin(HttpServletRequest request) {
    String authorization = request.getHeader("Authorization");
    return authorization != null
        && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && adminToken.matches(authorization.substring(7).trim());
  }

  private static String idFromPath(HttpServletRequest request) {
    String info = request.getPathInfo();
    if (info == null || info.equals("/")) {
      return null;
    }
    return info.substring(1);
  }

  private static void notAllowed(HttpServletResponse response) throws IOException {
    JsonResponses.error(response, 405, "invalid_request_error", "Method not allowed here.");
  }
}
