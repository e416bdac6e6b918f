package dev.llmproxy.core.internal.metering;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Usage;
import dev.llmproxy.core.ModelPrice;

/**
 * What an exchange costs, in nano-USD: the whole hold when the request was sent but no response
 * arrived (cancelled or timed out while the upstream worked); nothing for an upstream error
 * (providers do not bill them); the metered usage when the response reported it or ended normally;
 * and for a stream cut short (cancelled or broken) without final usage, the input seen plus the
 * worst-case output, because the upstream bills tokens the proxy never saw. The ledger books it
 * whole, also when it exceeds the reservation.
 */
public final class Charges {
  private Charges() {}

  public static long cost(
      boolean responded,
      int status,
      Outcome outcome,
      UsageMeter.Metered metered,
      ModelPrice price,
      long maxOutputTokens,
      long holdNanoUsd) {
    if (!responded) {
      return holdNanoUsd; // sent, then cancelled or timed out: the upstream may have done it all
    }
    if (status >= 400 || price == null) {
      return 0;
    }
    if (metered.complete() || outcome == Outcome.OK) {
      return price.cost(metered.usage());
    }
    Usage seen = metered.usage();
    return price.cost(
        new Usage(
            seen.inputTokens(),
            Math.max(seen.outputTokens(), maxOutputTokens),
            seen.cacheCreationInputTokens(),
            seen.cacheReadInputTokens()));
  }

  /**
   * Whether {@link #cost} is an estimate rather than the upstream's reported usage: the request was
   * sent but no response came, or a successful answer ended before reporting its final usage.
   */
  public static boolean isEstimate(
      boolean responded, int status, Outcome outcome, UsageMeter.Metered metered) {
    if (!responded) {
      return true;
    }
    return status < 400 && !metered.complete() && outcome != Outcome.OK;
  }
}
