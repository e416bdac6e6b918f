package dev.llmproxy.api;

import java.util.Set;

/**
 * The endpoint scopes the proxy enforces on {@link Principal#scopes()}: each proxied endpoint needs
 * one, and a principal holding {@link #ALL} may call every endpoint, including those no other scope
 * names.
 */
public final class Scopes {
  /** Generating: messages, chat completions, responses, embeddings, audio, images. */
  public static final String INFERENCE = "inference";

  /** Counting a request's tokens without generating. */
  public static final String COUNT_TOKENS = "count_tokens";

  /** Listing and reading models. */
  public static final String MODELS = "models";

  /** Message batches and batch jobs. */
  public static final String BATCHES = "batches";

  /** Files and uploads. */
  public static final String FILES = "files";

  /** Every endpoint. */
  public static final String ALL = "*";

  /** Every scope this proxy knows. */
  public static final Set<String> KNOWN =
      Set.of(INFERENCE, COUNT_TOKENS, MODELS, BATCHES, FILES, ALL);

  private Scopes() {}

  /** Whether {@code held} grants {@code needed}. */
  public static boolean grants(Set<String> held, String needed) {
    return held.contains(ALL) || held.contains(needed);
  }
}
