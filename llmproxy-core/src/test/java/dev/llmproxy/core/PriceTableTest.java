package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmproxy.api.Usage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class PriceTableTest {
  private final PriceTable prices = PriceTable.defaults();

  @Test
  void datedIdsFindTheirFamilyAndTheLongestPatternWins() {
    assertEquals(
        new ModelPrice(3000, 15000, 3750, 300), prices.price("claude-sonnet-4-5-20250929"));
    assertEquals(new ModelPrice(5000, 25000, 6250, 500), prices.price("claude-opus-4-5-20251101"));
    assertEquals(new ModelPrice(15000, 75000, 18750, 1500), prices.price("claude-opus-4-20250514"));
    assertEquals(new ModelPrice(1000, 5000, 1250, 100), prices.price("claude-haiku-4-5"));
    assertEquals(new ModelPrice(250, 1250, 300, 30), prices.price("claude-3-haiku-20240307"));
  }

  @Test
  void unknownOrMissingModelsPayTheDearestPrice() {
    assertEquals(prices.price("*"), prices.price("some-future-model"));
    assertEquals(prices.price("*"), prices.price(null));
    assertEquals(new ModelPrice(15000, 75000, 18750, 1500), prices.price("some-future-model"));
  }

  @Test
  void costsAreExactPerTokenTypeWithCacheTokensPricedSeparately() {
    ModelPrice sonnet = prices.price("claude-sonnet-4-5");
    // 1000 in x $3 + 500 out x $15 + 2000 cache write x $3.75 + 10000 cache read x $0.30 per MTok
    assertEquals(
        3_000_000 + 7_500_000 + 7_500_000 + 3_000_000,
        sonnet.cost(new Usage(1000, 500, 2000, 10000)));
    assertEquals(100 * 3750 + 64 * 15000, sonnet.worstCase(100, 64));
  }

  @Test
  void hostsOverrideAndExtendTheTable() {
    ModelPrice custom =
        ModelPrice.perMillion(
            new BigDecimal("0.5"),
            new BigDecimal("1.5"),
            new BigDecimal("0.6"),
            new BigDecimal("0.05"));
    PriceTable mine = prices.with("my-model*", custom).with("claude-haiku-4-5", custom);
    assertEquals(custom, mine.price("my-model-v2"));
    assertEquals(custom, mine.price("claude-haiku-4-5"));
    assertEquals(new ModelPrice(500, 1500, 600, 50), custom);
    assertThrows(IllegalArgumentException.class, () -> new ModelPrice(-1, 0, 0, 0));
  }
}
