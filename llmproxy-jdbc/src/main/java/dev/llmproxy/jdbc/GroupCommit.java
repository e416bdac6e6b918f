package dev.llmproxy.jdbc;

import dev.llmproxy.api.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs queued ledger work on one writer thread, many tasks per transaction: an embedded database
 * pays its per-commit disk write once per batch instead of once per request, and tasks run in the
 * order they were queued. Each task runs under its own savepoint, so a task that fails, or whose
 * result says "undo" (a denied reservation), leaves no trace while the rest of its batch commits. A
 * task's caller hears of its result only after the batch is committed, i.e. durable.
 */
final class GroupCommit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
  private static final int MAX_BATCH = 256;
  private static final long AWAIT_SECONDS = 30;

  private final DataSource dataSource;
  private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;

  GroupCommit(DataSource dataSource) {
    this.dataSource = dataSource;
    this.writer = new Thread(this::writeLoop, "llmproxy-ledger-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Runs {@code work} in the next batch and returns its committed result. */
  <T> T await(String operation, Sql.Work<T> work, Predicate<T> keep) {
    Task<T> task = submit(operation, work, keep);
    try {
      return task.result.get(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new StoreUnavailableException(operation + " failed", e.getCause());
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(operation + " timed out in the ledger queue", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException(operation + " interrupted", e);
    }
  }

  /** Queues {@code work} without waiting; a failure is logged. */
  <T> void submit(String operation, Sql.Work<T> work) {
    submit(operation, work, result -> true)
        .result
        .whenComplete(
            (ignored, failure) -> {
              if (failure != null) {
                log.error("Ledger {} failed; its hold stays booked", operation, failure);
              }
            });
  }

  private <T> Task<T> submit(String operation, Sql.Work<T> work, Predicate<T> keep) {
    Task<T> task = new Task<>(operation, work, keep);
    if (closed) {
      task.result.completeExceptionally(
          new StoreUnavailableException(operation + " refused: the ledger is closed"));
      return task;
    }
    queue.add(task);
    return task;
  }

  /** Commits what is queued, then stops the writer (waiting at most ten seconds). */
  @Override
  public void close() {
    closed = true;
    queue.add(Task.STOP);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop() {
    List<Task<?>> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // only close() ends the loop
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      boolean stop = batch.remove(Task.STOP);
      if (!batch.isEmpty()) {
        runBatch(batch);
      }
      batch.clear();
      if (stop) {
        return;
      }
    }
  }

  private void runBatch(List<Task<?>> batch) {
    Object[] results = new Object[batch.size()];
    Throwable[] failures = new Throwable[batch.size()];
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (int i = 0; i < batch.size(); i++) {
          Savepoint savepoint = c.setSavepoint();
          try {
            results[i] = batch.get(i).runIn(c, savepoint);
          } catch (SQLException | RuntimeException e) {
            c.rollback(savepoint);
            failures[i] = e;
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException | RuntimeException e) {
      StoreUnavailableException failure =
          new StoreUnavailableException("ledger batch failed: " + sqlState(e), e);
      batch.forEach(task -> task.result.completeExceptionally(failure));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).complete(results[i], failures[i]);
    }
  }

  private static String sqlState(Exception e) {
    return e instanceof SQLException sql ? sql.getSQLState() : e.getClass().getSimpleName();
  }

  private static final class Task<T> {
    static final Task<Void> STOP = new Task<>("stop", c -> null, r -> true);

    final String operation;
    final Sql.Work<T> work;
    final Predicate<T> keep;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Task(String operation, Sql.Work<T> work, Predicate<T> keep) {
      this.operation = operation;
      this.work = work;
      this.keep = keep;
    }

    T runIn(Connection c, Savepoint savepoint) throws SQLException {
      T value = work.run(c);
      if (!keep.test(value)) {
        c.rollback(savepoint);
      }
      return value;
    }

    @SuppressWarnings("unchecked")
    void complete(Object value, Throwable failure) {
      if (failure == null) {
        result.complete((T) value);
      } else if (failure instanceof SQLException sql) {
        result.completeExceptionally(
            new StoreUnavailableException(operation + " failed: " + sql.getSQLState(), sql));
      } else {
        result.completeExceptionally(failure);
      }
    }
  }
}
