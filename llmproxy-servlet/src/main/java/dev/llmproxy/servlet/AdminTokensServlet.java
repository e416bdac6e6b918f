package dev.llmproxy.servlet;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.core.tokens.IssuedTokens;
import dev.llmproxy.core.tokens.TokenSpec;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /admin/tokens}: issue ({@code POST}), list ({@code GET}) and revoke ({@code DELETE
 * /admin/tokens/{id}}) proxy tokens, as docs/identity.md describes. Requires {@code Authorization:
 * Bearer <admin token>}; mount it at {@code /admin/tokens/*}. The token value appears only in the
 * {@code POST} response.
 */
public final class AdminTokensServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(AdminTokensServlet.class);
  private final transient IssuedTokens tokens;
  private final transient Secret adminToken;
  private final transient TokenRequests requests;
  private final transient BudgetLedger ledger;

  /**
   * Serves {@code tokens}, guarded by {@code adminToken}, validating bodies with {@code requests};
   * {@code ledger} reports each token's used requests and spend.
   */
  public AdminTokensServlet(
      IssuedTokens tokens, Secret adminToken, TokenRequests requests, BudgetLedger ledger) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
    this.requests = Objects.requireNonNull(requests, "requests");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    byte[] body = JsonResponses.readBody(request, response);
    if (!isAdmin(request)) {
      JsonResponses.error(response, 401, "authentication_error", "Admin token required.");
      return;
    }
    try {
      handle(request, body, response);
    } catch (StoreUnavailableException e) {
      log.warn("Token store unavailable: {}", e.getMessage());
      JsonResponses.error(response, 503, "api_error", "The token store is unavailable right now.");
    }
  }

  private void handle(HttpServletRequest request, byte[] body, HttpServletResponse response)
      throws IOException {
    String id = idFromPath(request);
    switch (request.getMethod()) {
      case "POST" -> {
        if (id == null) {
          issue(body, response);
        } else {
          notAllowed(response);
        }
      }
      case "GET" -> {
        if (id == null) {
          JsonResponses.send(
              response,
              200,
              Map.of(
                  "tokens",
                  tokens.list().stream()
                      .map(token -> TokenViews.view(token, ledger.balance(token.id()), requests))
                      .toList()));
        } else {
          notAllowed(response);
        }
      }
      case "DELETE" -> {
        if (id == null) {
          notAllowed(response);
        } else if (tokens.revoke(id)) {
          response.setStatus(204);
        } else {
          JsonResponses.error(response, 404, "not_found_error", "No token with this id.");
        }
      }
      default -> notAllowed(response);
    }
  }

  private void issue(byte[] body, HttpServletResponse response) throws IOException {
    TokenSpec spec;
    try {
      spec = requests.parse(JsonResponses.readObject(body));
    } catch (InvalidRequest | IllegalArgumentException e) {
      JsonResponses.error(response, 400, "invalid_request_error", e.getMessage());
      return;
    }
    IssuedTokens.Issued issued = tokens.issue(spec);
    Map<String, Object> view = new java.util.LinkedHashMap<>();
    view.put("id", issued.record().id());
    view.put("token", issued.token().reveal());
    view.putAll(TokenViews.view(issued.record(), Balance.ZERO, requests));
    JsonResponses.send(response, 201, view);
  }

  private boolean isAdmin(HttpServletRequest request) {
    String authorization = request.getHeader("Authorization");
    return authorization != null
        && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && adminToken.matches(authorization.substring(7).trim());
  }

  private static String idFromPath(HttpServletRequest request) {
    String info = request.getPathInfo();
    return info == null || info.equals("/") ? null : info.substring(1);
  }

  private static void notAllowed(HttpServletResponse response) throws IOException {
    JsonResponses.error(response, 405, "invalid_request_error", "Method not allowed here.");
  }
}
