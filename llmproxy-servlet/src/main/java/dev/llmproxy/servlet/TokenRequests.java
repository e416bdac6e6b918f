package dev.llmproxy.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Scopes;
import dev.llmproxy.core.tokens.TokenSpec;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Validates a token-issuing request ({@code POST /admin/tokens} body, or the CLI's options as the
 * same JSON) into a {@link TokenSpec}: every error names its field.
 */
public final class TokenRequests {
  private static final Set<String> FIELDS =
      Set.of(
          "user",
          "kind",
          "tier",
          "max_requests",
          "max_spend_usd",
          "expires_at",
          "models",
          "providers",
          "scopes",
          "budget_period",
          "team",
          "max_tokens_per_minute");

  private final Set<String> tiers;
  private final String defaultTier;
  private final Set<ProviderId> providers;
  private final Clock clock;
  private final ZoneId budgetZone;

  /**
   * Requests whose budget periods reset at UTC midnights.
   *
   * @param tiers the configured tiers; any other is refused
   * @param defaultTier tier of a token issued without one
   * @param providers providers a token may be restricted to
   * @param clock for refusing expiry times in the past
   */
  public TokenRequests(
      Set<String> tiers, String defaultTier, Set<ProviderId> providers, Clock clock) {
    this(tiers, defaultTier, providers, clock, ZoneOffset.UTC);
  }

  /**
   * @param tiers the configured tiers; any other is refused
   * @param defaultTier tier of a token issued without one
   * @param providers providers a token may be restricted to
   * @param clock for refusing expiry times in the past, and the current budget period
   * @param budgetZone the zone whose midnights start daily, weekly and monthly periods, as the
   *     proxy is configured with
   */
  public TokenRequests(
      Set<String> tiers,
      String defaultTier,
      Set<ProviderId> providers,
      Clock clock,
      ZoneId budgetZone) {
    this.budgetZone = Objects.requireNonNull(budgetZone, "budgetZone");
    this.tiers = Set.copyOf(tiers);
    this.defaultTier = Objects.requireNonNull(defaultTier, "defaultTier");
    this.providers = Set.copyOf(providers);
    this.clock = Objects.requireNonNull(clock, "clock");
    if (!this.tiers.contains(defaultTier)) {
      throw new IllegalArgumentException("default tier " + defaultTier + " is not configured");
    }
  }

  /**
   * The {@link TokenSpec} a request body describes.
   *
   * @throws IllegalArgumentException naming the offending field
   */
  public TokenSpec parse(JsonNode body) throws IllegalArgumentException {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException("Unknown field '" + name + "'.");
      }
    }
    JsonNode user = body.get("user");
    if (user == null || !user.isTextual() || user.asText().isBlank()) {
      throw new IllegalArgumentException(
          "Field 'user' is required and must be a non-empty string.");
    }
    String tier = optionalText(body, "tier").orElse(defaultTier);
    if (!tiers.contains(tier)) {
      throw new IllegalArgumentException(
          "Field 'tier' must be one of " + new java.util.TreeSet<>(tiers) + ".");
    }
    Principal.Kind kind =
        switch (optionalText(body, "kind").orElse("user")) {
          case "user" -> Principal.Kind.USER;
          case "service" -> Principal.Kind.SERVICE;
          default ->
              throw new IllegalArgumentException("Field 'kind' must be 'user' or 'service'.");
        };
    return new TokenSpec(
        user.asText(),
        kind,
        tier,
        expiresAt(body),
        maxRequests(body),
        maxSpend(body),
        stringList(body, "models"),
        providerSet(body),
        scopeSet(body),
        period(body),
        team(body),
        maxTokensPerMinute(body));
  }

  private static OptionalLong maxTokensPerMinute(JsonNode body) throws IllegalArgumentException {
    JsonNode value = body.get("max_tokens_per_minute");
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() <= 0) {
      throw new IllegalArgumentException(
          "Field 'max_tokens_per_minute' must be a positive integer.");
    }
    return OptionalLong.of(value.asLong());
  }

  /** The start and end of {@code period}'s current span, now. */
  Instant[] currentSpan(BudgetPeriod period) {
    Instant now = clock.instant();
    return new Instant[] {period.start(now, budgetZone), period.end(now, budgetZone)};
  }

  private static BudgetPeriod period(JsonNode body) throws IllegalArgumentException {
    Optional<String> text = optionalText(body, "budget_period");
    if (text.isEmpty()) {
      return BudgetPeriod.LIFETIME;
    }
    try {
      return BudgetPeriod.parse(text.get());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Field 'budget_period' must be daily, weekly, monthly or an ISO-8601 duration of at"
              + " least a minute, like PT6H.");
    }
  }

  private static Optional<String> team(JsonNode body) throws IllegalArgumentException {
    Optional<String> team = optionalText(body, "team");
    if (team.isPresent() && !team.get().matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "Field 'team' must be 1 to 100 letters, digits, '.', '_' or '-'.");
    }
    return team;
  }

  /** The endpoints the token may call: every one unless the body names them. */
  private static Set<String> scopeSet(JsonNode body) throws IllegalArgumentException {
    if (!body.has("scopes") || body.get("scopes").isNull()) {
      return Set.of(Scopes.ALL);
    }
    Set<String> result = new HashSet<>();
    for (String scope : stringList(body, "scopes")) {
      if (!Scopes.KNOWN.contains(scope)) {
        throw new IllegalArgumentException(
            "Field 'scopes' contains unknown scope '"
                + scope
                + "'; known: "
                + new java.util.TreeSet<>(Scopes.KNOWN)
                + ".");
      }
      result.add(scope);
    }
    return result;
  }

  private Optional<Instant> expiresAt(JsonNode body) throws IllegalArgumentException {
    Optional<String> text = optionalText(body, "expires_at");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      Instant expiry = Instant.parse(text.get());
      if (!expiry.isAfter(clock.instant())) {
        throw new IllegalArgumentException("Field 'expires_at' must be in the future.");
      }
      return Optional.of(expiry);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "Field 'expires_at' must be an ISO-8601 instant like 2026-12-31T00:00:00Z.");
    }
  }

  private static OptionalLong maxRequests(JsonNode body) throws IllegalArgumentException {
    JsonNode value = body.get("max_requests");
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
      throw new IllegalArgumentException("Field 'max_requests' must be a non-negative integer.");
    }
    return OptionalLong.of(value.asLong());
  }

  private static OptionalLong maxSpend(JsonNode body) throws IllegalArgumentException {
    JsonNode value = body.get("max_spend_usd");
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isNumber() || value.decimalValue().signum() < 0) {
      throw new IllegalArgumentException("Field 'max_spend_usd' must be a non-negative number.");
    }
    BigDecimal nanos = value.decimalValue().movePointRight(9);
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("Field 'max_spend_usd' is too large.");
    }
    return OptionalLong.of(nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact());
  }

  private Set<ProviderId> providerSet(JsonNode body) throws IllegalArgumentException {
    Set<ProviderId> result = new HashSet<>();
    for (String name : stringList(body, "providers")) {
      ProviderId id;
      try {
        id = ProviderId.of(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Field 'providers' contains an invalid provider name.");
      }
      if (!providers.contains(id)) {
        throw new IllegalArgumentException(
            "Field 'providers' contains unknown provider '" + name + "'.");
      }
      result.add(id);
    }
    return result;
  }

  private static List<String> stringList(JsonNode body, String field)
      throws IllegalArgumentException {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw new IllegalArgumentException("Field '" + field + "' must be an array of strings.");
    }
    List<String> result = new ArrayList<>();
    for (JsonNode element : value) {
      if (!element.isTextual() || element.asText().isBlank()) {
        throw new IllegalArgumentException(
            "Field '" + field + "' must be an array of non-empty strings.");
      }
      result.add(element.asText());
    }
    return result;
  }

  private static Optional<String> optionalText(JsonNode body, String field)
      throws IllegalArgumentException {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException("Field '" + field + "' must be a non-empty string.");
    }
    return Optional.of(value.asText());
  }
}
