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

  /** {@code Thread::isVirtual} where the runtime has it (Java 21+), else null. */
  private static final java.lang.invoke.MethodHandle IS_VIRTUAL = isVirtualHandle();

  private static java.lang.invoke.MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }

  /** Whether the calling thread is a virtual thread. */
  static boolean onVirtualThread() {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
    } catch (Throwable e) {
      return false;
    }
  }

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
