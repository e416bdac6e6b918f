package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BatchingListenerTest {
  private final List<List<String>> batches = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstBatchTaken = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  /** Records batches; the first one blocks until released, so later events pile up. */
  private void record(List<ProxyEvent> events) throws InterruptedException {
    List<String> paths = new ArrayList<>();
    events.forEach(e -> paths.add(e.path()));
    batches.add(paths);
    if (firstBatchTaken.getCount() == 1) {
      firstBatchTaken.countDown();
      assertTrue(release.await(10, TimeUnit.SECONDS));
    }
  }

  private static ProxyEvent event(int i) {
    return ProxyEvent.builder()
        .timestamp(java.time.Instant.EPOCH)
        .method("POST")
        .path("/" + i)
        .status(200)
        .outcome(Outcome.OK)
        .build();
  }

  @Test
  void eventsQueuedWhileTheSinkIsBusyArriveAsOneBatchInOrder() throws Exception {
    try (BatchingListener listener = BatchingListener.of("test", this::record)) {
      listener.onExchange(event(0));
      assertTrue(firstBatchTaken.await(10, TimeUnit.SECONDS));
      for (int i = 1; i <= 10; i++) {
        listener.onExchange(event(i));
      }
      release.countDown();
      assertTrue(listener.flush(10, TimeUnit.SECONDS));
    }
    assertEquals(List.of("/0"), batches.get(0));
    assertEquals(
        List.of("/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9", "/10"), batches.get(1));
    assertEquals(2, batches.size());
  }

  @Test
  void aFailingBatchDoesNotStopLaterOnes() throws Exception {
    AtomicBoolean failed = new AtomicBoolean();
    List<String> written = new CopyOnWriteArrayList<>();
    try (BatchingListener listener =
        BatchingListener.of(
            "test",
            events -> {
              if (failed.compareAndSet(false, true)) {
                throw new IllegalStateException("database away");
              }
              events.forEach(e -> written.add(e.path()));
            })) {
      listener.onExchange(event(1));
      assertTrue(listener.flush(10, TimeUnit.SECONDS));
      listener.onExchange(event(2));
      assertTrue(listener.flush(10, TimeUnit.SECONDS));
    }
    assertTrue(failed.get());
    assertEquals(List.of("/2"), written);
  }

  @Test
  void closeWritesEverythingQueued() throws Exception {
    BatchingListener listener = BatchingListener.of("test", this::record);
    listener.onExchange(event(0));
    assertTrue(firstBatchTaken.await(10, TimeUnit.SECONDS));
    for (int i = 1; i <= 5; i++) {
      listener.onExchange(event(i));
    }
    release.countDown();
    listener.close();
    assertEquals(6, batches.stream().mapToInt(List::size).sum());
  }

  @Test
  void aFullQueueMakesThePublisherWaitInsteadOfDropping() throws Exception {
    try (BatchingListener listener = BatchingListener.of("test", 1, this::record)) {
      listener.onExchange(event(0));
      assertTrue(firstBatchTaken.await(10, TimeUnit.SECONDS));
      listener.onExchange(event(1)); // fills the queue
      Thread publisher = new Thread(() -> listener.onExchange(event(2)));
      publisher.start();
      for (int i = 0; i < 1_000 && publisher.getState() != Thread.State.WAITING; i++) {
        publisher.join(10); // bounded: until it blocks on the full queue
      }
      assertEquals(Thread.State.WAITING, publisher.getState());
      assertEquals(1, batches.size());
      release.countDown();
      publisher.join(10_000);
      assertTrue(listener.flush(10, TimeUnit.SECONDS));
    }
    assertEquals(3, batches.stream().mapToInt(List::size).sum());
  }
}
