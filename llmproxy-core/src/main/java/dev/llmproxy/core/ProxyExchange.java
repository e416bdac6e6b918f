package dev.llmproxy.core;

import dev.llmproxy.api.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * One HTTP exchange as a container adapter presents it to the engine. The servlet filter implements
 * it over an async servlet request; another container can too.
 *
 * <p>The engine calls the response methods from a single thread, in order: {@link #startResponse}
 * once, then writes and flushes to {@link #responseBody()}, then exactly one of {@link #complete()}
 * or {@link #abort()}. An {@link IOException} from a write or flush means the client has gone.
 */
public interface ProxyExchange {

  /** The request method, e.g. {@code POST}. */
  String method();

  /**
   * The request path below the proxy's mount point, still percent-encoded and not normalised, e.g.
   * {@code /anthropic/v1/messages}.
   */
  String path();

  /** The raw query string without {@code ?}, or {@code null} when there is none. */
  String rawQuery();

  /** The request headers. */
  Headers requestHeaders();

  /** The declared {@code Content-Length}, or -1 when unknown (chunked). */
  long requestContentLength();

  /** The request body. */
  InputStream requestBody() throws IOException;

  /**
   * The request body for reading without blocking a thread (servlet {@code ReadListener}), if this
   * adapter offers it; empty (the default) if only {@link #requestBody()} can read it. The engine
   * uses one or the other, and this one only when the proxy was built with {@code
   * nonBlockingRelay}: a slow upload then holds no thread while its bytes trickle in.
   */
  default Optional<NonBlockingInput> nonBlockingInput() {
    return Optional.empty();
  }

  /**
   * A request body read without blocking, in the shape of the servlet {@code ServletInputStream} in
   * non-blocking mode: {@link #read} only after {@link #isReady()} said yes.
   */
  interface NonBlockingInput {
    /**
     * Switches to non-blocking mode. {@code onReadable} then runs, on any thread, one call at a
     * time: once bytes can be read, each time {@link #isReady()} has turned true after it returned
     * false, and once the body has ended or failed.
     */
    void start(Runnable onReadable) throws IOException;

    /**
     * Whether {@link #read} may be called now: bytes are there, or the body has ended or failed. If
     * not, {@code onReadable} will run later.
     */
    boolean isReady();

    /**
     * Reads without blocking: the number of bytes read, or -1 once the body has ended. An {@link
     * IOException} means the client has gone.
     */
    int read(byte[] bytes, int offset, int length) throws IOException;
  }

  /**
   * Called once the request is on its way upstream, before its answer's headers arrive: the stretch
   * in which a client that leaves would otherwise be noticed only when the answer starts. An
   * adapter may watch the connection now (and report a departure through {@link #onClientGone}),
   * and must stop watching before {@link #startResponse}, {@link #complete()} or {@link #abort()}
   * complete. The default does nothing.
   */
  default void waitingForUpstream() {}

  /** Sets the status and headers; nothing is sent before the first flush. */
  void startResponse(int status, Headers headers) throws IOException;

  /** Whether {@link #startResponse} has been called. */
  boolean isResponseStarted();

  /** The response body; each {@code flush()} pushes what was written to the client. */
  OutputStream responseBody() throws IOException;

  /**
   * The response body for writing without blocking a thread (servlet {@code WriteListener}), if
   * this adapter offers it; empty (the default) if only {@link #responseBody()} can write it. The
   * engine uses one or the other, after {@link #startResponse}, and only when the proxy was built
   * with {@code nonBlockingRelay}.
   */
  default Optional<NonBlockingOutput> nonBlockingOutput() {
    return Optional.empty();
  }

  /**
   * A response body written without blocking, in the shape of the servlet {@code
   * ServletOutputStream} in non-blocking mode: {@link #write} or {@link #flush} only after {@link
   * #isReady()} said yes.
   */
  interface NonBlockingOutput {
    /**
     * Switches to non-blocking mode. {@code onWritable} then runs, on any thread, once at the start
     * and each time {@link #isReady()} has turned true after it returned false; it also runs once
     * the client has gone, when {@link #isReady()} says true and the next write fails.
     */
    void start(Runnable onWritable) throws IOException;

    /** Whether a write or flush may be made now; if not, {@code onWritable} will run later. */
    boolean isReady();

    /** Writes without blocking; an {@link IOException} means the client has gone. */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /** Pushes what was written to the client without blocking. */
    void flush() throws IOException;
  }

  /**
   * Calls {@code onGone} if the container learns the client disconnected before the exchange
   * completes. Containers may only notice on the next write; the engine copes with both.
   */
  void onClientGone(Runnable onGone);

  /** Ends the response normally and releases the container's resources. */
  void complete();

  /**
   * Ends the response abnormally: the client must see a truncated response (connection closed, no
   * final chunk), not a clean end, because the upstream body broke off.
   */
  void abort();
}
