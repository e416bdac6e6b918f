package dev.llmproxy.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Secret;
import dev.llmproxy.core.IssuedTokens;
import dev.llmproxy.core.TokenSpec;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code /admin/tokens}: issue ({@code POST}), list ({@code GET}) and revoke ({@code DELETE
 * /admin/tokens/{id}}) proxy tokens, as CONTRACT.md specifies. Requires {@code Authorization:
 * Bearer <admin token>}; mount it at {@code /admin/tokens/*}. The token value appears only in the
 * {@code POST} response.
 */
public final class AdminTokensServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Set<String> FIELDS =
      Set.of(
          "user",
          "kind",
          "tier",
          "max_requests",
          "max_spend_usd",
          "expires_at",
          "models",
          "providers");

  private final transient IssuedTokens tokens;
  private final transient Secret adminToken;
  private final transient Set<String> tiers;
  private final String defaultTier;
  private final transient Set<ProviderId> providers;
  private final transient Clock clock;

  /**
   * @param tiers the configured tiers; issuing into any other is a 400
   * @param defaultTier tier of a token issued without one
   * @param providers providers a token may be restricted to
   */
  public AdminTokensServlet(
      IssuedTokens tokens,
      Secret adminToken,
      Set<String> tiers,
      String defaultTier,
      Set<ProviderId> providers,
      Clock clock) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
    this.tiers = Set.copyOf(tiers);
    this.defaultTier = Objects.requireNonNull(defaultTier, "defaultTier");
    this.providers = Set.copyOf(providers);
    this.clock = Objects.requireNonNull(clock, "clock");
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
        if (id == null) {
          issue(request, response);
        } else {
          notAllowed(response);
        }
      }
      case "GET" -> {
        if (id == null) {
          JsonResponses.send(
              response,
              200,
              Map.of("tokens", tokens.list().stream().map(TokenViews::view).toList()));
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

  private void issue(HttpServletRequest request, HttpServletResponse response) throws IOException {
    TokenSpec spec;
    try {
      spec = parse(JsonResponses.readObject(request));
    } catch (InvalidRequest e) {
      JsonResponses.error(response, 400, "invalid_request_error", e.getMessage());
      return;
    }
    IssuedTokens.Issued issued = tokens.issue(spec);
    Map<String, Object> view = new java.util.LinkedHashMap<>();
    view.put("id", issued.record().id());
    view.put("token", issued.token().reveal());
    view.putAll(TokenViews.view(issued.record()));
    JsonResponses.send(response, 201, view);
  }

  private TokenSpec parse(JsonNode body) throws InvalidRequest {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidRequest("Unknown field '" + name + "'.");
      }
    }
    JsonNode user = body.get("user");
    if (user == null || !user.isTextual() || user.asText().isBlank()) {
      throw new InvalidRequest("Field 'user' is required and must be a non-empty string.");
    }
    String tier = optionalText(body, "tier").orElse(defaultTier);
    if (!tiers.contains(tier)) {
      throw new InvalidRequest(
          "Field 'tier' must be one of " + new java.util.TreeSet<>(tiers) + ".");
    }
    Principal.Kind kind =
        switch (optionalText(body, "kind").orElse("user")) {
          case "user" -> Principal.Kind.USER;
          case "service" -> Principal.Kind.SERVICE;
          default -> throw new InvalidRequest("Field 'kind' must be 'user' or 'service'.");
        };
    return new TokenSpec(
        user.asText(),
        kind,
        tier,
        expiresAt(body),
        maxRequests(body),
        maxSpend(body),
        stringList(body, "models"),
        providerSet(body));
  }

  private Optional<Instant> expiresAt(JsonNode body) throws InvalidRequest {
    Optional<String> text = optionalText(body, "expires_at");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      Instant expiry = Instant.parse(text.get());
      if (!expiry.isAfter(clock.instant())) {
        throw new InvalidRequest("Field 'expires_at' must be in the future.");
      }
      return Optional.of(expiry);
    } catch (DateTimeParseException e) {
      throw new InvalidRequest(
          "Field 'expires_at' must be an ISO-8601 instant like 2026-12-31T00:00:00Z.");
    }
  }

  private static OptionalLong maxRequests(JsonNode body) throws InvalidRequest {
    JsonNode value = body.get("max_requests");
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
      throw new InvalidRequest("Field 'max_requests' must be a non-negative integer.");
    }
    return OptionalLong.of(value.asLong());
  }

  private static OptionalLong maxSpend(JsonNode body) throws InvalidRequest {
    JsonNode value = body.get("max_spend_usd");
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isNumber() || value.decimalValue().signum() < 0) {
      throw new InvalidRequest("Field 'max_spend_usd' must be a non-negative number.");
    }
    BigDecimal nanos = value.decimalValue().movePointRight(9);
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new InvalidRequest("Field 'max_spend_usd' is too large.");
    }
    return OptionalLong.of(nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact());
  }

  private Set<ProviderId> providerSet(JsonNode body) throws InvalidRequest {
    Set<ProviderId> result = new HashSet<>();
    for (String name : stringList(body, "providers")) {
      ProviderId id;
      try {
        id = ProviderId.of(name);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequest("Field 'providers' contains an invalid provider name.");
      }
      if (!providers.contains(id)) {
        throw new InvalidRequest("Field 'providers' contains unknown provider '" + name + "'.");
      }
      result.add(id);
    }
    return result;
  }

  private static List<String> stringList(JsonNode body, String field) throws InvalidRequest {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw new InvalidRequest("Field '" + field + "' must be an array of strings.");
    }
    List<String> result = new ArrayList<>();
    for (JsonNode element : value) {
      if (!element.isTextual() || element.asText().isBlank()) {
        throw new InvalidRequest("Field '" + field + "' must be an array of non-empty strings.");
      }
      result.add(element.asText());
    }
    return result;
  }

  private static Optional<String> optionalText(JsonNode body, String field) throws InvalidRequest {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new InvalidRequest("Field '" + field + "' must be a non-empty string.");
    }
    return Optional.of(value.asText());
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
