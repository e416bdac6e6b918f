package dev.llmproxy.api;

/**
 * What an account (an issued token) has used: requests sent upstream and money spent, in nano-USD.
 * Holds of requests still in flight are not included.
 */
public record Balance(long usedRequests, long spentNanoUsd) {
  /** Nothing used. */
  public static final Balance ZERO = new Balance(0, 0);
}
