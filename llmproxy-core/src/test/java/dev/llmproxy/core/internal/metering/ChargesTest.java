package dev.llmproxy.core.internal.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Usage;
import dev.llmproxy.core.ModelPrice;
import org.junit.jupiter.api.Test;

/** The billing policy, case by case. */
class ChargesTest {
  private static final ModelPrice PRICE = new ModelPrice(1000, 5000, 1250, 100);
  private static final long HOLD = 9_999_999;
  private static final UsageMeter.Metered FINAL =
      new UsageMeter.Metered(new Usage(20, 50, 0, 0), true);
  private static final UsageMeter.Metered PARTIAL =
      new UsageMeter.Metered(new Usage(20, 3, 0, 0), false);

  @Test
  void aCompleteResponseCostsItsMeteredUsage() {
    assertEquals(
        20 * 1000 + 50 * 5000, Charges.cost(true, 200, Outcome.OK, FINAL, PRICE, 100, HOLD));
  }

  @Test
  void upstreamErrorsCostNothing() {
    assertEquals(0, Charges.cost(true, 529, Outcome.UPSTREAM_ERROR, PARTIAL, PRICE, 100, HOLD));
  }

  @Test
  void aStreamCutShortCostsTheInputSeenPlusTheWorstCaseOutput() {
    long expected = 20 * 1000 + 100 * 5000;
    assertEquals(
        expected, Charges.cost(true, 200, Outcome.CLIENT_CANCELLED, PARTIAL, PRICE, 100, HOLD));
    assertEquals(
        expected, Charges.cost(true, 200, Outcome.UPSTREAM_ERROR, PARTIAL, PRICE, 100, HOLD));
  }

  @Test
  void aRequestSentButNeverAnsweredCostsTheWholeHold() {
    assertEquals(
        HOLD,
        Charges.cost(
            false, 499, Outcome.CLIENT_CANCELLED, UsageMeter.Metered.NONE, PRICE, 100, HOLD));
    assertEquals(
        HOLD,
        Charges.cost(
            false, 502, Outcome.UPSTREAM_ERROR, UsageMeter.Metered.NONE, PRICE, 100, HOLD));
  }

  @Test
  void pricesSaturateInsteadOfOverflowing() {
    assertEquals(Long.MAX_VALUE, PRICE.cost(new Usage(Long.MAX_VALUE / 2, 0, 0, 0)));
  }
}
