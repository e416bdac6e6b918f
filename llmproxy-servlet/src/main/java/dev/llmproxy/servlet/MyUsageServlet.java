package dev.llmproxy.servlet;

import dev.llmproxy.api.AccountCap;
import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Principal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/me/usage}: the caller's usage per cap, authenticated by their proxy token,
 * read from the budget ledger (the numbers the proxy enforces): for the token's own account and
 * each of its teams, the period, its start and reset, and the requests and spend used, capped and
 * remaining. Mount it at {@code /api/v1/me/usage}.
 */
public final class MyUsageServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(MyUsageServlet.class);

  private final transient dev.llmproxy.api.TokenResolver tokens;
  private final transient BudgetLedger ledger;
  private final transient Clock clock;
  private final ZoneId zone;

  /**
   * Reports {@code ledger}'s balances to callers {@code tokens} authenticates, with budget periods
   * aligned in {@code zone} as the proxy's are.
   */
  public MyUsageServlet(
      dev.llmproxy.api.TokenResolver tokens, BudgetLedger ledger, Clock clock, ZoneId zone) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    JsonResponses.readBody(request, response);
    Optional<Principal> principal = Callers.authenticate(tokens, request, response);
    if (principal.isEmpty()) {
      return;
    }
    if (!"GET".equals(request.getMethod())) {
      response.setHeader("Allow", "GET");
      JsonResponses.error(response, 405, "invalid_request_error", "Only GET is supported.");
      return;
    }
    Principal caller = principal.get();
    Instant now = clock.instant();
    List<Map<String, Object>> caps = new ArrayList<>();
    try {
      List<AccountCap> accounts = AccountCap.of(caller, now, zone);
      for (int i = 0; i < accounts.size(); i++) {
        AccountCap cap = accounts.get(i);
        BudgetPeriod period =
            i == 0 ? caller.limits().period() : caller.limits().teams().get(i - 1).period();
        String team = i == 0 ? null : caller.limits().teams().get(i - 1).team();
        caps.add(view(cap, period, team, ledger.balance(cap.accountId()), now));
      }
    } catch (RuntimeException e) {
      log.warn("Budget ledger failed reading usage: {}", e.toString());
      JsonResponses.error(response, 503, "api_error", "Usage cannot be read right now.");
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user", caller.id());
    body.put("token_id", caller.tokenId().orElse(null));
    body.put("caps", caps);
    JsonResponses.send(response, 200, body);
  }

  private Map<String, Object> view(
      AccountCap cap, BudgetPeriod period, String team, Balance stored, Instant now) {
    Balance balance = stored.inPeriod(cap.periodStart());
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("account", team == null ? "token" : "team");
    if (team != null) {
      view.put("team", team);
    }
    view.put("period", period.toString());
    view.put("period_start", period.isLifetime() ? null : cap.periodStart().toString());
    view.put("resets_at", period.isLifetime() ? null : period.end(now, zone).toString());
    view.put("requests", amounts(balance.usedRequests(), cap.maxRequests(), false));
    view.put("spend_usd", amounts(balance.spentNanoUsd(), cap.maxSpendNanoUsd(), true));
    return view;
  }

  private static Map<String, Object> amounts(long used, OptionalLong cap, boolean usd) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("used", usd ? TokenViews.usd(used) : used);
    view.put(
        "cap", cap.isPresent() ? (usd ? TokenViews.usd(cap.getAsLong()) : cap.getAsLong()) : null);
    long remaining = cap.isPresent() ? Math.max(0, cap.getAsLong() - used) : -1;
    view.put("remaining", cap.isPresent() ? (usd ? TokenViews.usd(remaining) : remaining) : null);
    return view;
  }
}
