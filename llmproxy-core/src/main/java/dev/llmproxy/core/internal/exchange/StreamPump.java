package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.ProxyExchange;
import dev.llmproxy.core.internal.http.BodyRelay;
import dev.llmproxy.core.internal.http.BodyRelay.End;
import dev.llmproxy.core.internal.http.BodyRelay.Result;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an upstream body to the client without holding a thread while either side waits: it runs
 * when the upstream has bytes ({@link NonBlockingBody#demand}), when the client can take more
 * ({@code onWritable}), and when the client goes or the proxy stops, on whichever thread calls it,
 * one at a time. It reads the upstream only once the client has taken the last chunk and can take
 * more, so a slow reader holds one chunk, and the upstream connection feels its pace. A chunk is
 * read into the running thread's scratch buffer and copied out at its exact size: an open stream
 * between events holds no buffer at all.
 *
 * <p>The last chunk of a body of known length is metered and booked before it is written, as the
 * client sees the answer whole with it. Once the body has ended, whichever way, the pump records
 * how, settles the exchange (exactly once) and runs {@code onSettled}.
 */
final class StreamPump implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(StreamPump.class);

  private final ExchangeState x;
  private final UpstreamResponse response;
  private final NonBlockingBody in;
  private final ProxyExchange.NonBlockingOutput out;

  /** Each thread's scratch buffer for reads; a stream holds only the bytes it has read. */
  private static final ThreadLocal<byte[]> SCRATCH =
      ThreadLocal.withInitial(() -> new byte[BodyRelay.BUFFER_SIZE]); // null while in use

  private final int chunkSize;
  private final AtomicInteger work = new AtomicInteger(); // runs requested; one runner at a time

  // Owned by the running thread; each run starts after the last one's work.decrement.
  private byte[] pending; // read but not yet written; the write may keep it until isReady()
  private boolean flush; // written but not yet flushed
  private boolean upstreamEnded;
  private volatile boolean demanding; // waiting for the upstream's callback
  private boolean finished;
  private long remaining; // of a body of known length, else -1
  private boolean pendingMetered; // the pending chunk is the last and was metered before its write
  private final Runnable beforeLastChunk;
  private Settlement settlement;
  private Runnable onSettled;

  StreamPump(
      ExchangeState x,
      UpstreamResponse response,
      NonBlockingBody in,
      ProxyExchange.NonBlockingOutput out,
      int bufferSize,
      boolean flushHeaders,
      long declaredLength,
      Runnable beforeLastChunk) {
    this.x = x;
    this.response = response;
    this.in = in;
    this.out = out;
    this.chunkSize = Math.min(bufferSize, BodyRelay.BUFFER_SIZE);
    this.flush = flushHeaders; // a stream opens as soon as the upstream's headers arrive
    this.remaining = declaredLength;
    this.beforeLastChunk = beforeLastChunk;
  }

  /**
   * Starts copying; from now on the exchange belongs to the pump, which settles it with {@code
   * settlement} and then runs {@code onSettled}.
   */
  void start(Settlement settlement, Runnable onSettled) {
    this.settlement = settlement;
    this.onSettled = onSettled;
    x.onCancel(this);
    try {
      out.start(this);
    } catch (IOException | RuntimeException e) {
      x.clientGone(); // runs the pump, which finds the client gone
    }
  }

  @Override
  public void run() {
    if (work.getAndIncrement() != 0) {
      return; // the thread running the pump will go round once more
    }
    do {
      if (!finished) {
        Result result;
        try {
          result = step();
        } catch (Throwable e) { // a container or client that failed in its own way, an Error too
          result =
              new Result(
                  End.UPSTREAM_BROKE,
                  e instanceof Exception ex ? ex : new IOException(e.toString(), e));
        }
        if (result != null) {
          try {
            finish(result);
          } catch (Throwable e) { // never leave the runner count up: the pump would never run again
            log.error("Settling a relayed stream failed", e);
          }
        }
      }
    } while (work.decrementAndGet() != 0);
  }

  /** Moves bytes as far as both sides allow; the result once the copy has ended, else null. */
  private Result step() {
    while (true) {
      if (x.isClientGone()) {
        return new Result(End.CLIENT_GONE, new IOException("client gone"));
      }
      if (x.isStopped()) {
        return new Result(End.UPSTREAM_BROKE, new IOException("the proxy is closing"));
      }
      if (!out.isReady()) {
        return null; // onWritable runs the pump again
      }
      try {
        if (pending != null) {
          out.write(pending, 0, pending.length);
          if (!pendingMetered) {
            x.meter.update(pending, 0, pending.length); // after the client has it: no byte waits
          }
          pending = null;
          pendingMetered = false;
          flush = true;
          continue;
        }
        if (flush) {
          out.flush();
          flush = false;
          continue;
        }
      } catch (IOException e) {
        return new Result(End.CLIENT_GONE, e);
      }
      if (upstreamEnded) {
        return new Result(End.COMPLETE, null); // the client has taken the last flush
      }
      if (demanding) {
        return null; // the upstream's callback runs the pump again
      }
      int n;
      try {
        // Taken out of the thread's slot while in use: a read that runs another stream's pump on
        // this thread (a callback) must not write into the same buffer before it is copied.
        byte[] scratch = SCRATCH.get();
        SCRATCH.set(null);
        if (scratch == null) {
          scratch = new byte[BodyRelay.BUFFER_SIZE];
        }
        try {
          n = in.read(scratch, 0, chunkSize);
          if (n > 0) {
            pending = Arrays.copyOf(scratch, n);
          }
        } finally {
          SCRATCH.set(scratch);
        }
      } catch (IOException e) {
        return new Result(End.UPSTREAM_BROKE, e);
      }
      if (n > 0 && remaining >= 0 && (remaining -= n) <= 0) {
        // The client sees a body of known length whole with its last chunk: book it first.
        x.meter.update(pending, 0, n);
        pendingMetered = true;
        beforeLastChunk.run();
      }
      if (n < 0) {
        upstreamEnded = true;
      } else if (n == 0) {
        demanding = true;
        in.demand(this::readable); // may call back at once, on this thread
      }
    }
  }

  private void readable() {
    demanding = false;
    run();
  }

  private void finish(Result result) {
    finished = true;
    try {
      response.close();
      Relay.ended(x, result);
    } finally {
      try {
        settlement.settle(x);
      } finally {
        onSettled.run();
      }
    }
  }
}
