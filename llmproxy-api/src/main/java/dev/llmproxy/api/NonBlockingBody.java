package dev.llmproxy.api;

import java.io.IOException;

/**
 * An upstream response body read without blocking, in the shape of Jetty's {@code Content.Source}:
 * {@link #read} takes what has arrived, and {@link #demand} asks to be called back once more has.
 * The proxy reads only when its client can take more, so a slow reader holds at most one chunk per
 * stream and the client's backpressure reaches the upstream connection.
 *
 * <p>A body is read by one party at a time: {@link #read} and {@link #demand} are never called
 * concurrently, and {@link #demand} is called again only after its callback ran.
 */
public interface NonBlockingBody {
  /**
   * Copies up to {@code length} bytes that have arrived into {@code buffer}, without waiting.
   *
   * @return the number of bytes copied; 0 when nothing has arrived yet (call {@link #demand}); -1
   *     once the body has ended cleanly
   * @throws IOException if the body broke off, timed out idle, or its call was cancelled
   */
  int read(byte[] buffer, int offset, int length) throws IOException;

  /**
   * Calls {@code onReadable} once, on any thread (perhaps this one, before returning), as soon as
   * {@link #read} has something to return: bytes, the end, or a failure.
   */
  void demand(Runnable onReadable);
}
