package dev.llmproxy.api;

/**
 * What an exchange costs against a principal's budgets: a number of requests, an amount of money in
 * nano-US-dollars (10<sup>-9</sup> USD, exact for every published per-million-token price), and the
 * input plus output tokens that count against a tokens-per-minute limit.
 */
public record Charge(long requests, long nanoUsd, long tokens) {
  public Charge {
    if (requests < 0 || nanoUsd < 0 || tokens < 0) {
      throw new IllegalArgumentException("negative charge");
    }
  }

  /** A charge of no tokens. */
  public Charge(long requests, long nanoUsd) {
    this(requests, nanoUsd, 0);
  }

  /** One request of unknown cost. */
  public static Charge oneRequest() {
    return new Charge(1, 0);
  }
}
