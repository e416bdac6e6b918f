package dev.llmproxy.core;

import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.ProxyListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes events off the exchange's thread and hands them to a {@link Sink} in batches, on one
 * background thread, in the order they were published. An audit table or file then costs one
 * transaction or one flush per batch instead of one per exchange.
 *
 * <p>Never drops an event: when {@code capacity} events are waiting, {@link #onExchange} blocks
 * until the sink catches up (the exchange's response has already ended by then, so the client is
 * not delayed; the proxy's concurrency limit bounds how many exchanges can wait). A batch the sink
 * fails on is logged and dropped, as a failing synchronous listener's event is. {@link #close}
 * writes what is queued, then stops.
 *
 * <p>After each batch the writer lingers for {@link #LINGER_MILLIS} before taking the next, so
 * under load a batch gathers the events of that long and the writer's thread wakes about a hundred
 * times a second rather than once per exchange (docs/performance.md measures what waking more often
 * cost). A full batch is followed at once by the next, so a burst is not held back by the linger;
 * an idle writer waits for the next event without delay.
 *
 * <pre>{@code
 * BatchingListener audit = BatchingListener.of("audit", new JdbcAuditSink(dataSource)::write);
 * LlmProxy.builder().addListener(audit)...
 * }</pre>
 */
public final class BatchingListener implements ProxyListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BatchingListener.class);

  /** The default number of events that may wait for the sink. */
  public static final int DEFAULT_CAPACITY = 16_384;

  /** The most events handed to the sink at once. */
  public static final int MAX_BATCH = 512;

  /** How long the writer waits after a batch before taking the next. */
  public static final long LINGER_MILLIS = 10;

  /** Writes a batch of events, e.g. in one transaction. The list is only valid during the call. */
  @FunctionalInterface
  public interface Sink {
    void write(List<ProxyEvent> events) throws Exception;
  }

  private static final Object STOP = new Object();

  private final String name;
  private final Sink sink;
  private final BlockingQueue<Object> queue;
  private final int batchLimit; // a batch this large means more may be waiting: no lingering
  private final Thread writer;
  private volatile boolean closed;

  private BatchingListener(String name, int capacity, Sink sink) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.name = Objects.requireNonNull(name, "name");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batchLimit = Math.min(MAX_BATCH, capacity);
    this.writer = new Thread(this::writeLoop, "llmproxy-" + name + "-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** A listener feeding {@code sink} from a queue of {@link #DEFAULT_CAPACITY} events. */
  public static BatchingListener of(String name, Sink sink) {
    return new BatchingListener(name, DEFAULT_CAPACITY, sink);
  }

  /** A listener feeding {@code sink} from a queue of {@code capacity} events. */
  public static BatchingListener of(String name, int capacity, Sink sink) {
    return new BatchingListener(name, capacity, sink);
  }

  @Override
  public void onExchange(ProxyEvent event) {
    if (closed) {
      log.warn("{} is closed; an event was not written", name);
      return;
    }
    enqueue(event);
  }

  /**
   * Waits, up to {@code timeout}, until every event published before this call has been handed to
   * the sink; returns whether it has.
   */
  public boolean flush(long timeout, TimeUnit unit) throws InterruptedException {
    CountDownLatch written = new CountDownLatch(1);
    enqueue(written);
    return written.await(timeout, unit);
  }

  /** Writes every queued event, then stops the writer (waiting at most ten seconds). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    enqueue(STOP);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void enqueue(Object item) {
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(item);
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the event still goes in; the interrupt is kept for the caller
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop() {
    List<Object> taken = new ArrayList<>(MAX_BATCH);
    List<ProxyEvent> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        taken.add(queue.take());
      } catch (InterruptedException e) {
        continue; // only close() ends the loop, after the queue is written
      }
      queue.drainTo(taken, batchLimit - 1);
      boolean stop = false;
      for (Object item : taken) {
        if (item == STOP) {
          stop = true;
        } else if (item instanceof ProxyEvent event) {
          batch.add(event);
        } else {
          write(batch); // everything published before the flush marker goes first
          ((CountDownLatch) item).countDown();
        }
      }
      boolean full = taken.size() >= batchLimit;
      write(batch);
      taken.clear();
      if (stop) {
        return;
      }
      if (!full) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS));
      }
    }
  }

  private void write(List<ProxyEvent> batch) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      sink.write(batch);
    } catch (Exception | LinkageError e) {
      log.warn("{} failed to write {} events; they are lost", name, batch.size(), e);
    }
    batch.clear();
  }
}
