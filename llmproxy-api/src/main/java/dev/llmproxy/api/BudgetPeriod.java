package dev.llmproxy.api;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Objects;

/**
 * How often a budget's caps start again from zero: never ({@link #LIFETIME}), every day, week (from
 * Monday) or month (from the 1st) at midnight in a zone, or every fixed duration counted from the
 * epoch. The engine computes the current period's start with the zone it is configured with and
 * hands it to the ledger, so a ledger needs no calendar.
 *
 * @param unit the calendar unit, or {@code null} for a fixed duration or lifetime
 * @param length the fixed duration, or {@code null}
 */
public record BudgetPeriod(ChronoUnit unit, Duration length) {
  /** Caps that never reset. */
  public static final BudgetPeriod LIFETIME = new BudgetPeriod(null, null);

  public BudgetPeriod {
    if (unit != null && length != null) {
      throw new IllegalArgumentException("a period is a calendar unit or a duration, not both");
    }
    if (unit != null
        && unit != ChronoUnit.DAYS
        && unit != ChronoUnit.WEEKS
        && unit != ChronoUnit.MONTHS) {
      throw new IllegalArgumentException("calendar periods are days, weeks or months: " + unit);
    }
    if (length != null
        && (length.compareTo(Duration.ofMinutes(1)) < 0
            || length.compareTo(Duration.ofDays(366 * 100)) > 0)) {
      throw new IllegalArgumentException(
          "a period lasts at least a minute and at most a century: " + length);
    }
  }

  /** Midnight to midnight. */
  public static BudgetPeriod daily() {
    return new BudgetPeriod(ChronoUnit.DAYS, null);
  }

  /** Monday midnight to Monday midnight. */
  public static BudgetPeriod weekly() {
    return new BudgetPeriod(ChronoUnit.WEEKS, null);
  }

  /** The 1st at midnight to the next 1st. */
  public static BudgetPeriod monthly() {
    return new BudgetPeriod(ChronoUnit.MONTHS, null);
  }

  /** Consecutive spans of {@code length} from the epoch, e.g. every six hours. */
  public static BudgetPeriod every(Duration length) {
    return new BudgetPeriod(null, Objects.requireNonNull(length, "length"));
  }

  /**
   * {@code daily}, {@code weekly}, {@code monthly}, {@code lifetime}, or an ISO-8601 duration such
   * as {@code PT6H}.
   *
   * @throws IllegalArgumentException naming what is accepted
   */
  public static BudgetPeriod parse(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "daily":
        return daily();
      case "weekly":
        return weekly();
      case "monthly":
        return monthly();
      case "lifetime":
        return LIFETIME;
      default:
        try {
          return every(Duration.parse(text.trim()));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException(
              "a budget period is daily, weekly, monthly, lifetime or an ISO-8601 duration like"
                  + " PT6H");
        }
    }
  }

  /** Whether the caps ever reset. */
  public boolean isLifetime() {
    return unit == null && length == null;
  }

  /** When the period containing {@code at} began; {@link Instant#EPOCH} for a lifetime. */
  public Instant start(Instant at, ZoneId zone) {
    if (isLifetime()) {
      return Instant.EPOCH;
    }
    if (length != null) {
      long millis = length.toMillis();
      long now = at.toEpochMilli();
      return Instant.ofEpochMilli(now - Math.floorMod(now, millis));
    }
    return firstDay(at.atZone(zone).toLocalDate()).atStartOfDay(zone).toInstant();
  }

  /** The local date the calendar period containing {@code date} starts on. */
  private LocalDate firstDay(LocalDate date) {
    return switch (unit) {
      case WEEKS -> date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTHS -> date.withDayOfMonth(1);
      default -> date;
    };
  }

  /** When the period containing {@code at} ends; {@link Instant#MAX} for a lifetime. */
  public Instant end(Instant at, ZoneId zone) {
    if (isLifetime()) {
      return Instant.MAX;
    }
    Instant start = start(at, zone);
    if (length != null) {
      return start.plus(length);
    }
    // Midnight of the first day of the next period: atStartOfDay picks the first midnight of a
    // day whose midnight a daylight-saving change repeats or skips.
    return firstDay(at.atZone(zone).toLocalDate()).plus(1, unit).atStartOfDay(zone).toInstant();
  }

  /** As {@link #parse} reads it. */
  @Override
  public String toString() {
    if (isLifetime()) {
      return "lifetime";
    }
    if (length != null) {
      return length.toString();
    }
    return switch (unit) {
      case WEEKS -> "weekly";
      case MONTHS -> "monthly";
      default -> "daily";
    };
  }
}
