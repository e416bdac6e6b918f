package dev.llmproxy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BudgetPeriodTest {
  @ParameterizedTest
  @CsvSource({
    // period, zone, at, start, end
    "daily, UTC, 2026-12-03T13:00:00Z, 2026-12-03T00:00:00Z, 2026-12-04T00:00:00Z",
    "daily, Europe/Berlin, 2026-12-03T22:59:59Z, 2026-12-02T23:00:00Z, 2026-12-03T23:00:00Z",
    "daily, Europe/Berlin, 2026-12-03T23:00:00Z, 2026-12-03T23:00:00Z, 2026-12-04T23:00:00Z",
    "weekly, UTC, 2026-12-03T13:00:00Z, 2026-11-30T00:00:00Z, 2026-12-07T00:00:00Z",
    "weekly, UTC, 2026-11-30T00:00:00Z, 2026-11-30T00:00:00Z, 2026-12-07T00:00:00Z",
    "monthly, UTC, 2026-12-31T23:59:59Z, 2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z",
    "monthly, America/New_York, 2026-03-01T04:59:59Z, 2026-02-01T05:00:00Z, 2026-03-01T05:00:00Z",
    "PT6H, UTC, 2026-12-03T13:00:00Z, 2026-12-03T12:00:00Z, 2026-12-03T18:00:00Z",
    // a day with a daylight-saving change is 23 or 25 hours long
    "daily, Europe/Berlin, 2026-03-29T12:00:00Z, 2026-03-28T23:00:00Z, 2026-03-29T22:00:00Z",
    "daily, Europe/Berlin, 2026-10-25T12:00:00Z, 2026-10-24T22:00:00Z, 2026-10-25T23:00:00Z",
  })
  void startsAndEndsAtTheBoundariesInTheZone(
      String period, String zone, String at, String start, String end) {
    BudgetPeriod p = BudgetPeriod.parse(period);
    assertEquals(Instant.parse(start), p.start(Instant.parse(at), ZoneId.of(zone)));
    assertEquals(Instant.parse(end), p.end(Instant.parse(at), ZoneId.of(zone)));
    assertEquals(period, p.toString());
  }

  @Test
  void aMidnightThatARepeatedHourFollowsStartsTheDayOnce() {
    // Havana falls back from 01:00 to 00:00 on 2025-11-02: midnight happens twice.
    ZoneId havana = ZoneId.of("America/Havana");
    BudgetPeriod daily = BudgetPeriod.daily();
    Instant firstHalf = Instant.parse("2025-11-02T04:30:00Z"); // 00:30, before the change
    Instant secondHalf = Instant.parse("2025-11-02T05:10:00Z"); // 00:10, after it
    assertEquals(daily.start(firstHalf, havana), daily.start(secondHalf, havana));
    assertEquals(Instant.parse("2025-11-02T04:00:00Z"), daily.start(secondHalf, havana));
  }

  @Test
  void lifetimeNeverResetsAndBadPeriodsAreRefused() {
    assertTrue(BudgetPeriod.parse("lifetime").isLifetime());
    assertEquals(Instant.EPOCH, BudgetPeriod.LIFETIME.start(Instant.now(), ZoneOffset.UTC));
    assertEquals(Instant.MAX, BudgetPeriod.LIFETIME.end(Instant.now(), ZoneOffset.UTC));
    for (String bad : new String[] {"fortnightly", "PT30S", "PT2562047788015215H", "P-1D", ""}) {
      assertThrows(IllegalArgumentException.class, () -> BudgetPeriod.parse(bad), bad);
    }
    assertEquals(BudgetPeriod.every(Duration.ofHours(6)), BudgetPeriod.parse("PT6H"));
  }
}
