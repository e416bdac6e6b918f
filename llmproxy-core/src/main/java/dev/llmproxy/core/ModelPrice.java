package dev.llmproxy.core;

import dev.llmproxy.api.Usage;
import java.math.BigDecimal;

/**
 * What one token costs for a model, in nano-USD per token (equal to USD per million tokens × 1000):
 * input, output, cache write and cache read.
 */
public record ModelPrice(long input, long output, long cacheWrite, long cacheRead) {

  public ModelPrice {
    if (input < 0 || output < 0 || cacheWrite < 0 || cacheRead < 0) {
      throw new IllegalArgumentException("negative price");
    }
  }

  /**
   * A price from list prices in USD per million tokens, e.g. {@code perMillion(3, 15, 3.75, 0.3)}.
   */
  public static ModelPrice perMillion(
      BigDecimal input, BigDecimal output, BigDecimal cacheWrite, BigDecimal cacheRead) {
    return new ModelPrice(nanos(input), nanos(output), nanos(cacheWrite), nanos(cacheRead));
  }

  private static long nanos(BigDecimal usdPerMillion) {
    return usdPerMillion.movePointRight(3).setScale(0, java.math.RoundingMode.UP).longValueExact();
  }

  /**
   * The cost of {@code usage}, in nano-USD, saturating at {@link Long#MAX_VALUE} rather than
   * overflowing. Cache reads and writes are priced separately.
   */
  public long cost(Usage usage) {
    try {
      return exactCost(usage);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private long exactCost(Usage usage) {
    return Math.addExact(
        Math.addExact(
            Math.multiplyExact(usage.inputTokens(), input),
            Math.multiplyExact(usage.outputTokens(), output)),
        Math.addExact(
            Math.multiplyExact(usage.cacheCreationInputTokens(), cacheWrite),
            Math.multiplyExact(usage.cacheReadInputTokens(), cacheRead)));
  }

  /**
   * The most a request can cost: every body byte billed as an input token at the dearer of the
   * input and cache-write prices (no tokenizer yields more tokens than bytes), plus {@code
   * maxOutputTokens} of output.
   */
  public long worstCase(long bodyBytes, long maxOutputTokens) {
    return Math.addExact(
        Math.multiplyExact(bodyBytes, Math.max(input, cacheWrite)),
        Math.multiplyExact(maxOutputTokens, output));
  }
}
