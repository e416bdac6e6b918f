package dev.llmproxy.core.internal.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Usage;
import dev.llmproxy.core.ModelPrice;
import org.junit.jupiter.api.Test;

/** The billing policy, case by case. */
class ChargesTest {
  private static final ModelPrice PRICE = new ModelPrice(1000, 5000, 1250, 100);
  private static final long BODY = 1_001; // bytes: 251 tokens at 4 bytes each, rounded up
  private static final UsageMeter.Metered FINAL =
      new UsageMeter.Metered(new Usage(20, 50, 0, 0), true);
  private static final UsageMeter.Metered PARTIAL =
      new UsageMeter.Metered(new Usage(20, 3, 0, 0), false);

  @Test
  void aCompleteResponseCostsItsMeteredUsage() {
    assertEquals(20 * 1000 + 50 * 5000, Charges.cost(true, 200, Outcome.OK, FINAL, PRICE, BODY));
  }

  @Test
  void upstreamErrorsCostNothing() {
    assertEquals(0, Charges.cost(true, 529, Outcome.UPSTREAM_ERROR, PARTIAL, PRICE, BODY));
  }

  @Test
  void aStreamCutShortCostsWhatTheUpstreamReportedSoFarFlaggedAsAnEstimate() {
    long expected = 20 * 1000 + 3 * 5000;
    for (Outcome cut : new Outcome[] {Outcome.CLIENT_CANCELLED, Outcome.UPSTREAM_ERROR}) {
      assertEquals(expected, Charges.cost(true, 200, cut, PARTIAL, PRICE, BODY));
      assertTrue(Charges.isEstimate(true, 200, cut, PARTIAL));
    }
    assertFalse(Charges.isEstimate(true, 200, Outcome.OK, FINAL));
  }

  @Test
  void aStreamCutBeforeReportingItsInputHasItsInputEstimatedFromTheBody() {
    UsageMeter.Metered outputOnly = new UsageMeter.Metered(new Usage(0, 3, 0, 0), false);
    assertEquals(
        251 * 1000 + 3 * 5000,
        Charges.cost(true, 200, Outcome.CLIENT_CANCELLED, outputOnly, PRICE, BODY));
  }

  @Test
  void aRequestSentButNeverAnsweredCostsAnEstimateOfItsInputNotTheHold() {
    for (int status : new int[] {499, 502}) {
      assertEquals(
          251 * 1000,
          Charges.cost(
              false, status, Outcome.CLIENT_CANCELLED, UsageMeter.Metered.NONE, PRICE, BODY));
      assertTrue(
          Charges.isEstimate(false, status, Outcome.CLIENT_CANCELLED, UsageMeter.Metered.NONE));
    }
  }

  @Test
  void pricesSaturateInsteadOfOverflowing() {
    assertEquals(Long.MAX_VALUE, PRICE.cost(new Usage(Long.MAX_VALUE / 2, 0, 0, 0)));
  }
}
