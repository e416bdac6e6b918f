package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.core.ProxyExchange;
import dev.llmproxy.core.internal.http.BodyReader;
import dev.llmproxy.core.internal.http.ProxyError;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request body without holding a thread while it arrives: it runs when the container has
 * bytes ({@link ProxyExchange.NonBlockingInput#start}), and when the client goes or the proxy
 * stops, on whichever thread calls it, one at a time, and reads as far as the container allows. Its
 * future completes with the body once whole, on the thread that read its end, or fails with the
 * refusal: too large (413), cut short (400), or the client gone.
 */
final class BodyArrival implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(BodyArrival.class);
  private static final Runnable NOTHING = () -> {};

  private final ExchangeState x;
  private final ProxyExchange.NonBlockingInput in;
  private final BodyReader.Body body;
  private final CompletableFuture<byte[]> arrived = new CompletableFuture<>();
  private final AtomicInteger work = new AtomicInteger(); // runs requested; one runner at a time

  BodyArrival(ExchangeState x, ProxyExchange.NonBlockingInput in, BodyReader.Body body) {
    this.x = x;
    this.in = in;
    this.body = body;
  }

  /** Starts reading; the body once whole, or the refusal. */
  CompletableFuture<byte[]> start() {
    x.onCancel(this);
    try {
      in.start(this);
    } catch (IOException | RuntimeException e) {
      log.debug("Container refused to read the request body: {}", e.toString());
      arrived.completeExceptionally(ProxyError.clientCancelled());
    }
    return arrived;
  }

  @Override
  public void run() {
    if (work.getAndIncrement() != 0) {
      return; // the thread reading will go round once more
    }
    do {
      if (!arrived.isDone()) {
        step();
      }
    } while (work.decrementAndGet() != 0);
  }

  private void step() {
    byte[] whole;
    try {
      whole = readAvailable();
    } catch (ProxyError refusal) {
      arrived.completeExceptionally(refusal);
      return;
    } catch (IOException | RuntimeException e) { // containers differ in how "gone" surfaces
      log.debug("Client went away while sending the request body: {}", e.toString());
      arrived.completeExceptionally(ProxyError.clientCancelled());
      return;
    }
    if (whole != null) {
      x.onCancel(NOTHING); // the upstream call, once attached, is cancelled directly
      arrived.complete(whole); // runs the next stages here, on this thread
    }
  }

  /** Reads what the container has; the body once whole, else null (more is to come). */
  private byte[] readAvailable() throws ProxyError, IOException {
    while (true) {
      if (x.isClientGone() || x.isStopped()) {
        throw ProxyError.clientCancelled();
      }
      if (body.isWhole()) {
        return body.finish(); // the declared length has arrived: no end of stream to wait for
      }
      if (!in.isReady()) {
        return null; // onReadable runs again when there is more
      }
      if (body.readFrom(in::read) < 0) {
        return body.finish();
      }
    }
  }
}
