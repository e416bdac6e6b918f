package dev.llmproxy.api;

import java.io.Closeable;
import java.io.InputStream;
import java.util.Optional;

/**
 * The upstream's response: status and headers at once, the body as a stream that yields bytes as
 * they arrive. {@link #close()} releases the connection.
 */
public interface UpstreamResponse extends Closeable {
  /** The HTTP status code. */
  int status();

  /** The response headers exactly as the upstream sent them. */
  Headers headers();

  /**
   * The body. Each {@code read(byte[])} returns what has arrived without waiting to fill the array,
   * so streamed events can be forwarded one by one.
   */
  InputStream body();

  /**
   * The body as a {@link NonBlockingBody}, if this response can be read without blocking a thread;
   * empty (the default) if only {@link #body()} can read it. A response is read one way only.
   */
  default Optional<NonBlockingBody> nonBlockingBody() {
    return Optional.empty();
  }

  @Override
  void close();
}
