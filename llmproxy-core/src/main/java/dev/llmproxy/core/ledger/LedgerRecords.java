package dev.llmproxy.core.ledger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.Charge;
import dev.llmproxy.core.internal.json.Json;
import java.io.IOException;

/**
 * The lines of {@link FileBudgetLedger}'s files, one JSON object each. A journal holds {@code
 * reserve}, {@code commit} and {@code refund} lines; a snapshot holds the whole state as {@code
 * account}, {@code window} and {@code hold} lines after a {@code snapshot} header.
 */
final class LedgerRecords {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(Json.FACTORY).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private LedgerRecords() {}

  static byte[] reserve(
      String id, String principal, String account, long windowStart, Charge estimate) {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("op", "reserve");
          g.writeStringField("id", id);
          g.writeStringField("principal", principal);
          g.writeStringField("account", account);
          g.writeNumberField("window", windowStart);
          g.writeNumberField("requests", estimate.requests());
          g.writeNumberField("nano_usd", estimate.nanoUsd());
          g.writeEndObject();
          g.writeRaw('\n');
        });
  }

  /** A commit at {@code actual}, or a refund if it is null. */
  static byte[] settle(String id, Charge actual) {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("op", actual == null ? "refund" : "commit");
          g.writeStringField("id", id);
          if (actual != null) {
            g.writeNumberField("requests", actual.requests());
            g.writeNumberField("nano_usd", actual.nanoUsd());
          }
          g.writeEndObject();
          g.writeRaw('\n');
        });
  }

  /** The snapshot file of {@code state}: one generator, one line per record. */
  static byte[] snapshot(InMemoryBudgetLedger.State state) {
    return Json.write(
        g -> {
          g.setRootValueSeparator(null); // the newlines separate the records
          g.writeStartObject();
          g.writeStringField("op", "snapshot");
          g.writeNumberField("format", 1);
          g.writeNumberField("last_id", state.lastId());
          g.writeEndObject();
          g.writeRaw('\n');
          for (InMemoryBudgetLedger.State.AccountRow row : state.accounts()) {
            g.writeStartObject();
            g.writeStringField("op", "account");
            g.writeStringField("account", row.account());
            g.writeNumberField("used_requests", row.usedRequests());
            g.writeNumberField("spent_nano_usd", row.spentNanoUsd());
            g.writeEndObject();
            g.writeRaw('\n');
          }
          for (InMemoryBudgetLedger.State.WindowRow row : state.windows()) {
            g.writeStartObject();
            g.writeStringField("op", "window");
            g.writeStringField("principal", row.principal());
            g.writeNumberField("window", row.windowStart());
            g.writeNumberField("count", row.count());
            g.writeEndObject();
            g.writeRaw('\n');
          }
          for (InMemoryBudgetLedger.State.HoldRow row : state.holds()) {
            g.writeStartObject();
            g.writeStringField("op", "hold");
            g.writeStringField("id", row.id());
            g.writeStringField("account", row.account());
            g.writeNumberField("requests", row.estimate().requests());
            g.writeNumberField("nano_usd", row.estimate().nanoUsd());
            g.writeEndObject();
            g.writeRaw('\n');
          }
        });
  }

  /**
   * Applies one line to {@code ledger}.
   *
   * @throws IOException if the line is not a record this version wrote
   */
  static void apply(String line, InMemoryBudgetLedger ledger) throws IOException {
    try {
      applyRecord(line, ledger);
    } catch (RuntimeException e) { // a malformed id or a negative amount
      throw new IOException("not a valid ledger record", e);
    }
  }

  private static void applyRecord(String line, InMemoryBudgetLedger ledger) throws IOException {
    JsonNode record;
    try {
      record = MAPPER.readTree(line);
    } catch (IOException e) {
      throw new IOException("not a ledger record", e);
    }
    if (record == null || !record.isObject()) {
      throw new IOException("not a ledger record");
    }
    switch (text(record, "op")) {
      case "reserve" ->
          ledger.restoreHold(
              text(record, "id"),
              text(record, "principal"),
              text(record, "account"),
              number(record, "window"),
              charge(record));
      case "commit" -> ledger.settle(text(record, "id"), charge(record));
      case "refund" -> ledger.settle(text(record, "id"), null);
      case "snapshot" -> {
        if (number(record, "format") != 1) {
          throw new IOException("unknown ledger snapshot format " + record.get("format"));
        }
        ledger.restoreIds(number(record, "last_id"));
      }
      case "account" ->
          ledger.restoreAccount(
              text(record, "account"),
              number(record, "used_requests"),
              number(record, "spent_nano_usd"));
      case "window" ->
          ledger.restoreWindow(
              text(record, "principal"), number(record, "window"), number(record, "count"));
      case "hold" ->
          ledger.restoreHold(text(record, "id"), null, text(record, "account"), 0, charge(record));
      default -> throw new IOException("unknown ledger record " + record.get("op"));
    }
  }

  private static Charge charge(JsonNode record) throws IOException {
    return new Charge(number(record, "requests"), number(record, "nano_usd"));
  }

  private static String text(JsonNode record, String field) throws IOException {
    JsonNode value = record.get(field);
    if (value == null || !value.isTextual()) {
      throw new IOException("ledger record without " + field);
    }
    return value.textValue();
  }

  private static long number(JsonNode record, String field) throws IOException {
    JsonNode value = record.get(field);
    if (value == null || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
      throw new IOException("ledger record without " + field);
    }
    return value.longValue();
  }
}
