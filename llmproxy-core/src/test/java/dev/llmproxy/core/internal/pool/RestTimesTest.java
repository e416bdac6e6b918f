package dev.llmproxy.core.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.api.Headers;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestTimesTest {
  private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

  @Test
  void retryAfterInSeconds() {
    assertEquals(
        Optional.of(NOW.plusSeconds(42)), RestTimes.until(Headers.of("retry-after", "42"), NOW));
    assertEquals(
        Optional.of(NOW.plusMillis(1500)), RestTimes.until(Headers.of("retry-after", "1.5"), NOW));
  }

  @Test
  void retryAfterAsAnHttpDate() {
    assertEquals(
        Optional.of(Instant.parse("2026-01-01T10:02:00Z")),
        RestTimes.until(Headers.of("retry-after", "Thu, 01 Jan 2026 10:02:00 GMT"), NOW));
  }

  @Test
  void theResetOfTheExhaustedAnthropicLimit() {
    Headers headers =
        Headers.of(
            "anthropic-ratelimit-requests-remaining", "10",
            "anthropic-ratelimit-requests-reset", "2026-01-01T10:05:00Z",
            "anthropic-ratelimit-tokens-remaining", "0",
            "anthropic-ratelimit-tokens-reset", "2026-01-01T10:00:20Z");
    assertEquals(Optional.of(Instant.parse("2026-01-01T10:00:20Z")), RestTimes.until(headers, NOW));
  }

  @Test
  void nothingUsableMeansNoTime() {
    assertEquals(Optional.empty(), RestTimes.until(Headers.of("retry-after", "soon"), NOW));
    assertEquals(Optional.empty(), RestTimes.until(Headers.of("retry-after", "-3"), NOW));
    assertEquals(Optional.empty(), RestTimes.until(Headers.empty(), NOW));
  }

  @Test
  void neverMoreThanADay() {
    assertEquals(
        Optional.of(NOW.plus(RestTimes.LONGEST)),
        RestTimes.until(Headers.of("retry-after", "99999999"), NOW));
  }
}
