package dev.llmproxy.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.TeamBudget;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code LLMPROXY_TEAM_BUDGETS}: the caps of the teams issued tokens may name, as JSON, e.g. {@code
 * {"platform":{"max_spend_usd":50,"max_requests":10000,"budget_period":"monthly"}}}. A team a token
 * names that is not listed has no caps, and its usage is still counted.
 */
final class TeamBudgets {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TeamBudgets() {}

  static List<TeamBudget> parse(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("LLMPROXY_TEAM_BUDGETS is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("LLMPROXY_TEAM_BUDGETS must be a JSON object of teams");
    }
    List<TeamBudget> teams = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> team = it.next();
      String where = "LLMPROXY_TEAM_BUDGETS." + team.getKey();
      JsonNode caps = team.getValue();
      if (!caps.isObject()) {
        throw new IllegalArgumentException(where + " must be an object");
      }
      for (Iterator<String> names = caps.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!List.of("max_requests", "max_spend_usd", "budget_period").contains(name)) {
          throw new IllegalArgumentException(where + " has an unknown field " + name);
        }
      }
      try {
        teams.add(
            new TeamBudget(
                team.getKey(),
                requests(caps.get("max_requests"), where),
                spend(caps.get("max_spend_usd"), where),
                caps.hasNonNull("budget_period")
                    ? BudgetPeriod.parse(caps.get("budget_period").asText())
                    : BudgetPeriod.LIFETIME));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage());
      }
    }
    return List.copyOf(teams);
  }

  private static OptionalLong requests(JsonNode value, String where) {
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.canConvertToExactIntegral() || value.asLong() < 0) {
      throw new IllegalArgumentException(where + ".max_requests must be a non-negative integer");
    }
    return OptionalLong.of(value.asLong());
  }

  private static OptionalLong spend(JsonNode value, String where) {
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.isNumber() || value.decimalValue().signum() < 0) {
      throw new IllegalArgumentException(where + ".max_spend_usd must be a non-negative number");
    }
    BigDecimal nanos = value.decimalValue().movePointRight(9);
    return OptionalLong.of(nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact());
  }
}
