package dev.llmproxy.example;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmproxy.api.Balance;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.core.tokens.IssuedTokens;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;

/**
 * {@code tokens issue|list|revoke}: manages issued tokens in the data directory, the same files a
 * running {@code serve} reads, validated exactly like {@code POST /admin/tokens}.
 */
final class TokensCommand {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TokensCommand() {}

  static int run(List<String> args, ExampleConfig config, PrintStream out, PrintStream err)
      throws Exception {
    if (args.isEmpty()) {
      return usage(err);
    }
    Clock clock = Clock.systemUTC();
    try (DataDirState state = DataDirState.open(config, clock)) {
      return run(args, config, state, clock, out, err);
    }
  }

  private static int run(
      List<String> args,
      ExampleConfig config,
      DataDirState state,
      Clock clock,
      PrintStream out,
      PrintStream err)
      throws IOException {
    IssuedTokens tokens = state.tokens;
    switch (args.get(0)) {
      case "issue" -> {
        ObjectNode request;
        try {
          request = options(args.subList(1, args.size()));
          IssuedTokens.Issued issued =
              tokens.issue(ExampleServer.tokenRequests(config, clock).parse(request));
          out.println("id:    " + issued.record().id());
          out.println("token: " + issued.token().reveal());
          out.println(
              "scopes: " + String.join(",", new java.util.TreeSet<>(issued.record().scopes())));
          out.println("(the token is shown only now; only its hash is stored)");
          return 0;
        } catch (IllegalArgumentException e) {
          err.println("llmproxy tokens issue: " + e.getMessage());
          return 2;
        }
      }
      case "list" -> {
        out.printf(
            "%-18s %-16s %-10s %-14s %-20s %-22s %s%n",
            "ID", "USER", "TIER", "USED/MAX", "SPENT/CAP USD", "EXPIRES", "STATE");
        java.util.Map<String, Balance> balances = state.balances();
        for (TokenRecord token : tokens.list()) {
          Balance balance = balances.getOrDefault(token.id(), Balance.ZERO);
          String used = Long.toString(balance.usedRequests());
          String spent =
              BigDecimal.valueOf(balance.spentNanoUsd(), 9).stripTrailingZeros().toPlainString();
          out.printf(
              "%-18s %-16s %-10s %-14s %-20s %-22s %s%n",
              token.id(),
              token.user(),
              token.tier(),
              used
                  + "/"
                  + (token.maxRequests().isPresent() ? token.maxRequests().getAsLong() : "-"),
              spent
                  + "/"
                  + (token.maxSpendNanoUsd().isPresent()
                      ? BigDecimal.valueOf(token.maxSpendNanoUsd().getAsLong(), 9)
                          .stripTrailingZeros()
                          .toPlainString()
                      : "-"),
              token.expiresAt().map(Object::toString).orElse("never"),
              token.revoked()
                  ? "revoked"
                  : token.isExpiredAt(clock.instant()) ? "expired" : "active");
        }
        return 0;
      }
      case "revoke" -> {
        if (args.size() != 2) {
          return usage(err);
        }
        if (tokens.revoke(args.get(1))) {
          out.println("revoked " + args.get(1));
          return 0;
        }
        err.println("llmproxy tokens revoke: no token with id " + args.get(1));
        return 1;
      }
      default -> {
        return usage(err);
      }
    }
  }

  /** {@code --user alice --tier pro --models a,b …} as the JSON body the admin API takes. */
  static ObjectNode options(List<String> args) {
    ObjectNode body = MAPPER.createObjectNode();
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      if (option.equals("--service")) {
        body.put("kind", "service");
        continue;
      }
      if (!option.startsWith("--") || i + 1 >= args.size()) {
        throw new IllegalArgumentException("expected --option value, got '" + option + "'");
      }
      String value = args.get(++i);
      String field = option.substring(2).replace('-', '_');
      switch (field) {
        case "max_requests" -> body.put(field, parseLong(option, value));
        case "max_spend_usd" -> body.put(field, parseDecimal(option, value));
        case "models", "providers", "scopes" -> {
          body.withArray(field); // "--scopes ''": an empty list, a token for no endpoint
          for (String item : value.split(",")) {
            if (!item.isBlank()) {
              body.withArray(field).add(item.trim());
            }
          }
        }
        default -> body.put(field, value);
      }
    }
    return body;
  }

  private static long parseLong(String option, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a whole number");
    }
  }

  private static BigDecimal parseDecimal(String option, String value) {
    try {
      return new BigDecimal(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number");
    }
  }

  private static int usage(PrintStream err) {
    err.println(
        "usage: tokens issue --user NAME [--tier T] [--max-requests N] [--max-spend-usd X]\n"
            + "                    [--expires-at 2026-12-31T00:00:00Z] [--models a,b]"
            + " [--providers anthropic,openai]\n"
            + "                    [--budget-period daily|weekly|monthly|PT6H] [--team NAME]\n"
            + "                    [--scopes inference,count_tokens,models,batches,files|*]"
            + " [--service]\n"
            + "       tokens list\n"
            + "       tokens revoke ID");
    return 2;
  }
}
