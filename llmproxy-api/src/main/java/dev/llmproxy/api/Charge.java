package dev.llmproxy.api;

/**
 * What an exchange costs against a principal's budgets: a number of requests and an amount of money
 * in nano-US-dollars (10<sup>-9</sup> USD), exact for every published per-million-token price.
 */
public record Charge(long requests, long nanoUsd) {
  public Charge {
    if (requests < 0 || nanoUsd < 0) {
      throw new IllegalArgumentException("negative charge");
    }
  }

  /** One request of unknown cost. */
  public static Charge oneRequest() {
    return new Charge(1, 0);
  }
}
