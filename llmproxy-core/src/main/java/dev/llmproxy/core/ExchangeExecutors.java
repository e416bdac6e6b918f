package dev.llmproxy.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor exchanges run on: one virtual thread per exchange where the runtime has them (Java
 * 21+), otherwise a cached pool of daemon threads. Never a small fixed pool, which would queue the
 * 201st stream behind 200 others; capacity is bounded by {@link LlmProxy}'s concurrency limit
 * instead.
 */
final class ExchangeExecutors {
  private ExchangeExecutors() {}

  static ExecutorService create() {
    try {
      return (ExecutorService)
          MethodHandles.publicLookup()
              .findStatic(
                  Executors.class,
                  "newVirtualThreadPerTaskExecutor",
                  MethodType.methodType(ExecutorService.class))
              .invoke();
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return Executors.newCachedThreadPool(daemonThreads());
    } catch (Throwable e) {
      throw new IllegalStateException("cannot create the exchange executor", e);
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "llmproxy-exchange-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
