package dev.llmproxy.core.internal.exchange;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands exchanges to the executor, at most {@code capacity} at a time, and drains, then stops, the
 * running ones on {@link #close}. Every exchange given to {@link #run} is answered exactly once:
 * run, or rejected as overloaded when the proxy is full, closed, or its executor refuses it.
 */
final class ExchangeRunner {
  private static final Logger log = LoggerFactory.getLogger(ExchangeRunner.class);

  private final Executor executor;
  private final ExecutorService ownedExecutor; // null when the host supplied the executor

  /** How long cancelled exchanges get to settle when the runner closes. */
  static final Duration SETTLE = Duration.ofSeconds(5);

  private final Semaphore capacity;
  private final int permits;
  private final Set<Running> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closedLatch = new CountDownLatch(1);

  /** Runs exchanges on {@code executor}, or on an {@link ExchangeExecutors} pool if null. */
  ExchangeRunner(Executor executor, int capacity) {
    this.ownedExecutor = executor == null ? ExchangeExecutors.create() : null;
    this.executor = executor != null ? executor : ownedExecutor;
    this.capacity = new Semaphore(capacity);
    this.permits = capacity;
  }

  /** Starts {@code exchange} on the executor and returns at once. */
  void run(Exchange exchange) {
    if (closed || !capacity.tryAcquire()) {
      exchange.rejectOverloaded();
      return;
    }
    Running task = new Running(exchange);
    try {
      executor.execute(task);
    } catch (RuntimeException e) { // rejected, or a host executor that failed in its own way
      if (task.claim()) { // unless it ran the task before throwing
        capacity.release();
        if (!(e instanceof RejectedExecutionException)) {
          log.error("The exchange executor failed to take an exchange", e);
        }
        exchange.rejectOverloaded();
      }
    }
  }

  /**
   * Closes the runner gracefully: later exchanges are answered overloaded at once; the running ones
   * get up to {@code drain} to finish on their own; those still running then have their upstream
   * calls cancelled and their threads interrupted, and get up to {@link #SETTLE} more to settle
   * (book their usage, publish their event). Shuts down the executor if this runner created it.
   * Idempotent; blocks for at most {@code drain} plus {@link #SETTLE}.
   */
  void close(Duration drain) {
    if (!closing.compareAndSet(false, true)) {
      awaitUninterruptibly(closedLatch); // a second caller returns once the first is done
      return;
    }
    closed = true;
    try {
      drainThenStop(drain);
    } finally {
      closedLatch.countDown();
    }
  }

  private void drainThenStop(Duration drain) {
    // Not final: the drain wait may be interrupted too.
    boolean interrupted = Thread.interrupted(); // settling must not be cut short by it
    if (interrupted || !awaitIdle(drain)) {
      log.info(
          "Cancelling {} exchange(s) still running after the drain of {}", running.size(), drain);
      for (Running task : running) {
        task.stop();
      }
      interrupted |= Thread.interrupted(); // an interrupted drain still lets them settle
      if (!awaitIdle(SETTLE)) {
        log.warn(
            "{} exchange(s) still settling {} after they were cancelled", running.size(), SETTLE);
      }
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until no exchange holds a permit: every one started has ended and settled. */
  private boolean awaitIdle(Duration timeout) {
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE; // a drain longer than 292 years
    }
    try {
      if (capacity.tryAcquire(permits, nanos, TimeUnit.NANOSECONDS)) {
        capacity.release(permits);
        return true;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stop draining: cancel what runs
      return false;
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One exchange on its executor's thread, which {@link #close()} may stop while it runs; it holds
   * its permit until it has settled, which a non-blocking relay does after the thread has left.
   */
  private final class Running implements Runnable {
    private final Exchange exchange;
    private final AtomicBoolean claimed = new AtomicBoolean(); // run, or rejected: never both
    private Thread thread; // guarded by this
    private boolean interrupted; // guarded by this
    private final AtomicBoolean ended = new AtomicBoolean();

    Running(Exchange exchange) {
      this.exchange = exchange;
    }

    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    @Override
    public void run() {
      if (!claim()) {
        return;
      }
      synchronized (this) {
        thread = Thread.currentThread();
      }
      running.add(this);
      try {
        if (closed) { // close() may have looked before this was added
          try {
            exchange.rejectOverloaded();
          } finally {
            end();
          }
        } else {
          exchange.run(this::end); // may end later, on another thread: a non-blocking relay
        }
      } finally {
        synchronized (this) {
          thread = null;
          if (interrupted) {
            Thread.interrupted(); // a pooled thread starts its next task clean
          }
        }
      }
    }

    /** The exchange has settled: its permit is free. Runs once. */
    private void end() {
      if (ended.compareAndSet(false, true)) {
        running.remove(this);
        capacity.release();
      }
    }

    void stop() {
      exchange.stop();
      synchronized (this) {
        if (thread != null) { // still on its thread: not yet relaying without one
          interrupted = true;
          thread.interrupt();
        }
      }
    }
  }
}
