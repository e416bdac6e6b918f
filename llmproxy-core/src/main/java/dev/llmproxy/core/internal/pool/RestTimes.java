package dev.llmproxy.core.internal.pool;

import dev.llmproxy.api.Headers;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * When a rate-limited upstream says it takes requests again: {@code retry-after} (delta seconds or
 * an HTTP date), else the latest {@code anthropic-ratelimit-*-reset} of a limit whose {@code
 * -remaining} is 0 (of any limit, when none says 0). Never more than a day ahead.
 */
final class RestTimes {
  static final Duration LONGEST = Duration.ofDays(1);
  private static final String PREFIX = "anthropic-ratelimit-";

  private RestTimes() {}

  static Optional<Instant> until(Headers headers, Instant now) {
    Optional<Instant> until =
        headers.first("retry-after").flatMap(value -> retryAfter(value.trim(), now));
    if (until.isEmpty()) {
      until = rateLimitReset(headers);
    }
    return until
        .filter(now::isBefore)
        .map(t -> t.isAfter(now.plus(LONGEST)) ? now.plus(LONGEST) : t);
  }

  private static Optional<Instant> retryAfter(String value, Instant now) {
    try {
      BigDecimal seconds = new BigDecimal(value);
      if (seconds.signum() < 0) {
        return Optional.empty();
      }
      BigDecimal capped = seconds.min(BigDecimal.valueOf(LONGEST.toSeconds()));
      return Optional.of(now.plusMillis(capped.movePointRight(3).longValue()));
    } catch (NumberFormatException e) {
      // not a number: an HTTP date
    }
    try {
      return Optional.of(
          ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> rateLimitReset(Headers headers) {
    Instant exhausted = null;
    Instant any = null;
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i).toLowerCase(Locale.ROOT);
      if (!name.startsWith(PREFIX) || !name.endsWith("-reset")) {
        continue;
      }
      Instant reset;
      try {
        reset = Instant.parse(headers.value(i).trim());
      } catch (DateTimeParseException e) {
        continue;
      }
      any = later(any, reset);
      String limit = name.substring(0, name.length() - "-reset".length());
      if (headers.first(limit + "-remaining").map(String::trim).filter("0"::equals).isPresent()) {
        exhausted = later(exhausted, reset);
      }
    }
    return Optional.ofNullable(exhausted != null ? exhausted : any);
  }

  private static Instant later(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }
}
