package dev.llmproxy.core.ledger;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Purpose;
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

  static byte[] reserve(HoldRecord hold) {
    return Json.write(g -> writeHold(g, "reserve", hold));
  }

  private static void writeHold(JsonGenerator g, String op, HoldRecord hold) throws IOException {
    g.writeStartObject();
    g.writeStringField("op", op);
    g.writeStringField("id", hold.id());
    if (hold.principal() != null) {
      g.writeStringField("principal", hold.principal());
    }
    g.writeStringField("account", hold.account());
    if (hold.accounts().size() > 1 || hold.accounts().get(0).periodStart() != 0) {
      g.writeArrayFieldStart("accounts"); // [account, period start] of each, own first
      for (HoldRecord.Booked booked : hold.accounts()) {
        g.writeStartArray();
        g.writeString(booked.account());
        g.writeNumber(booked.periodStart());
        g.writeEndArray();
      }
      g.writeEndArray();
    }
    g.writeNumberField("window", hold.windowStart());
    g.writeNumberField("requests", hold.estimate().requests());
    g.writeNumberField("nano_usd", hold.estimate().nanoUsd());
    if (hold.estimate().tokens() != 0) {
      g.writeNumberField("tokens", hold.estimate().tokens());
    }
    g.writeNumberField("at", hold.reservedAt());
    if (hold.tokenWindow() != 0) {
      g.writeNumberField("token_window", hold.tokenWindow());
      g.writeNumberField("held_tokens", hold.heldTokens());
    }
    Purpose purpose = hold.purpose();
    optional(g, "provider", purpose.provider());
    optional(g, "method", purpose.method());
    optional(g, "path", purpose.path());
    optional(g, "model", purpose.model());
    g.writeEndObject();
    g.writeRaw('\n');
  }

  private static void optional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  /** A hold of a reserve or hold line; the fields added after format 1 began are optional. */
  private static HoldRecord hold(JsonNode record) throws IOException {
    return new HoldRecord(
        text(record, "id"),
        optionalText(record, "principal"),
        accounts(record),
        record.has("window") ? number(record, "window") : 0,
        charge(record),
        new Purpose(
            optionalText(record, "provider"),
            optionalText(record, "method"),
            optionalText(record, "path"),
            optionalText(record, "model")),
        record.has("at") ? number(record, "at") : 0,
        record.has("token_window") ? number(record, "token_window") : 0,
        record.has("held_tokens") ? number(record, "held_tokens") : 0);
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
            if (actual.tokens() != 0) {
              g.writeNumberField("tokens", actual.tokens());
            }
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
            if (row.periodStart() != 0) {
              g.writeNumberField("period", row.periodStart());
            }
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
          for (HoldRecord hold : state.holds()) {
            // Its rate slot is in the window lines already: a hold line takes none.
            writeHold(g, "hold", withoutWindow(hold));
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
      case "reserve" -> ledger.restoreHold(hold(record));
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
              record.has("period") ? number(record, "period") : 0,
              number(record, "used_requests"),
              number(record, "spent_nano_usd"));
      case "window" ->
          ledger.restoreWindow(
              text(record, "principal"), number(record, "window"), number(record, "count"));
      case "hold" -> ledger.restoreHold(withoutWindow(hold(record)));
      default -> throw new IOException("unknown ledger record " + record.get("op"));
    }
  }

  private static HoldRecord withoutWindow(HoldRecord hold) {
    return hold.withoutWindow();
  }

  /** The accounts of a hold line: its {@code accounts}, or its one lifetime {@code account}. */
  private static java.util.List<HoldRecord.Booked> accounts(JsonNode record) throws IOException {
    JsonNode list = record.get("accounts");
    if (list == null) {
      return java.util.List.of(new HoldRecord.Booked(text(record, "account"), 0));
    }
    java.util.List<HoldRecord.Booked> accounts = new java.util.ArrayList<>();
    for (JsonNode pair : list) {
      if (!pair.isArray()
          || pair.size() != 2
          || !pair.get(0).isTextual()
          || !pair.get(1).canConvertToExactIntegral()) {
        throw new IOException("ledger record with a malformed account");
      }
      accounts.add(new HoldRecord.Booked(pair.get(0).textValue(), pair.get(1).longValue()));
    }
    if (accounts.isEmpty()) {
      throw new IOException("ledger record without accounts");
    }
    return accounts;
  }

  private static String optionalText(JsonNode record, String field) throws IOException {
    return record.hasNonNull(field) ? text(record, field) : null;
  }

  private static Charge charge(JsonNode record) throws IOException {
    return new Charge(
        number(record, "requests"),
        number(record, "nano_usd"),
        record.has("tokens") ? number(record, "tokens") : 0);
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
