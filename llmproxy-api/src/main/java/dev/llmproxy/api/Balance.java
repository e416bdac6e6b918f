package dev.llmproxy.api;

/**
 * What an account (an issued token) has used: requests sent upstream or in flight (a request held
 * and not yet settled may already have reached the upstream, so it counts), and money spent, in
 * nano-USD, as committed (in-flight holds are worst-case estimates, not spend).
 */
public record Balance(long usedRequests, long spentNanoUsd) {
  /** Nothing used. */
  public static final Balance ZERO = new Balance(0, 0);
}
