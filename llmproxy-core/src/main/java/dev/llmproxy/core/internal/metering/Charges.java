package dev.llmproxy.core.internal.metering;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Usage;
import dev.llmproxy.core.ModelPrice;

/**
 * What an exchange costs, in nano-USD, as the contract bills it: the metered usage when the
 * response reported it or ended normally; nothing for an upstream error (providers do not bill
 * them); for a stream cut short (the client left, the upstream broke, the proxy shut down) the
 * usage the upstream reported so far; and for a request sent but never answered, an estimate of its
 * input alone (a token per {@value #BYTES_PER_TOKEN} body bytes). Never the whole hold: the last
 * two are flagged as estimates ({@link #isEstimate}). The ledger books the cost whole, also above
 * the hold.
 */
public final class Charges {
  /** Body bytes per input token of the no-answer estimate: the usual English-text ratio. */
  static final int BYTES_PER_TOKEN = 4;

  private Charges() {}

  public static long cost(
      boolean responded,
      int status,
      Outcome outcome,
      UsageMeter.Metered metered,
      ModelPrice price,
      long bodyBytes) {
    if (price == null) {
      return 0;
    }
    long inputEstimate = (bodyBytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
    if (!responded) { // sent, then the client left or the upstream never answered
      return price.cost(new Usage(inputEstimate, 0, 0, 0));
    }
    if (status >= 400) {
      return 0;
    }
    Usage usage = metered.usage();
    if (metered.complete() || outcome == Outcome.OK || reportsInput(usage)) {
      return price.cost(usage); // complete, or as far as the upstream reported it
    }
    // Cut short before any usage report (OpenAI reports it last): the output seen, if any, and
    // the input estimated from the body.
    return price.cost(new Usage(inputEstimate, usage.outputTokens(), 0, 0));
  }

  private static boolean reportsInput(Usage usage) {
    return usage.inputTokens() > 0
        || usage.cacheReadInputTokens() > 0
        || usage.cacheCreationInputTokens() > 0;
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
