package dev.llmproxy.servlet;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.TokenRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shape of an issued token in {@code /admin/tokens} responses. Never the hash. */
final class TokenViews {
  private TokenViews() {}

  /**
   * {@code token} with its usage in the current period: {@code balance} counts from zero if it is
   * of a period that has ended.
   */
  static Map<String, Object> view(TokenRecord token, Balance stored, TokenRequests periods) {
    Instant[] span = periods.currentSpan(token.period());
    Balance balance = stored.inPeriod(span[0]);
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", token.id());
    view.put("user", token.user());
    view.put("kind", token.kind().name().toLowerCase(java.util.Locale.ROOT));
    view.put("tier", token.tier());
    view.put(
        "max_requests", token.maxRequests().isPresent() ? token.maxRequests().getAsLong() : null);
    view.put("used_requests", balance.usedRequests());
    view.put(
        "max_spend_usd",
        token.maxSpendNanoUsd().isPresent() ? usd(token.maxSpendNanoUsd().getAsLong()) : null);
    view.put("spent_usd", usd(balance.spentNanoUsd()));
    view.put("budget_period", token.period().isLifetime() ? null : token.period().toString());
    view.put("resets_at", token.period().isLifetime() ? null : span[1].toString());
    view.put("team", token.team().orElse(null));
    view.put(
        "max_tokens_per_minute",
        token.maxTokensPerMinute().isPresent() ? token.maxTokensPerMinute().getAsLong() : null);
    view.put("expires_at", token.expiresAt().map(Object::toString).orElse(null));
    view.put("models", token.models());
    view.put("providers", token.providers().stream().map(ProviderId::value).sorted().toList());
    view.put("scopes", token.scopes().stream().sorted().toList());
    view.put("revoked", token.revoked());
    view.put("created_at", token.createdAt().toString());
    return view;
  }

  static BigDecimal usd(long nanoUsd) {
    return BigDecimal.valueOf(nanoUsd, 9).stripTrailingZeros();
  }
}
