package dev.llmproxy.api;

import java.io.IOException;

/** One request to the upstream, which may be cancelled from another thread. */
public interface UpstreamCall {
  /**
   * Sends the request and returns once the response headers have arrived.
   *
   * @throws IOException if the upstream could not be reached or the connection failed before a
   *     response; the engine answers 502 and the request does not count against budgets
   */
  UpstreamResponse execute() throws IOException;

  /**
   * Aborts the call: a blocked {@link #execute()} or body read fails promptly and the upstream
   * connection is closed, not drained. Safe to call more than once and from any thread.
   */
  void cancel();

  /**
   * Whether the request reached the upstream (its headers were written to the connection). A
   * request that was sent counts against budgets even if no response followed; one that failed to
   * connect does not.
   */
  boolean requestSent();

  /** Whether {@link #cancel()} was called. */
  boolean isCanceled();
}
