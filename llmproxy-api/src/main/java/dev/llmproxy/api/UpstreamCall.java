package dev.llmproxy.api;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
   * Sends the request and returns at once; the stage completes once the response headers have
   * arrived, or exceptionally with the {@link IOException} {@link #execute()} would have thrown. A
   * non-blocking client completes it on its own thread, so a proxy waiting for an upstream to think
   * holds no thread of its own. The default runs {@link #execute()} on the calling thread. Call
   * {@code execute} or {@code executeAsync}, once.
   */
  default CompletionStage<UpstreamResponse> executeAsync() {
    try {
      return CompletableFuture.completedFuture(execute());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

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
