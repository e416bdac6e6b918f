package dev.llmproxy.tomcat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches one quiet connection for its client leaving: every half second, one non-blocking read of
 * at most a byte from its socket channel, on one shared daemon thread. End of stream (or a reset)
 * means the client is gone; a byte of data means it pipelined its next request, which this read
 * consumed, so the watch ends and the connection is closed after the current answer.
 */
final class DisconnectWatch {
  private static final long PERIOD_MILLIS = 500;
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "llmproxy-tomcat-disconnect-watch");
            thread.setDaemon(true);
            return thread;
          });

  private final SocketChannel channel;
  private final Runnable onGone;
  private final ByteBuffer probe = ByteBuffer.allocate(1);
  private ScheduledFuture<?> task;
  private boolean over; // guarded by this: stopped, or fired
  private boolean dataRead; // guarded by this

  private DisconnectWatch(SocketChannel channel, Runnable onGone) {
    this.channel = channel;
    this.onGone = onGone;
  }

  /**
   * Starts watching {@code channel}; returns what stops it, which runs {@code closeAfterResponse}
   * if the watch consumed a byte of the client's next request.
   */
  static Runnable start(SocketChannel channel, Runnable onGone, Runnable closeAfterResponse) {
    DisconnectWatch watch = new DisconnectWatch(channel, onGone);
    synchronized (watch) {
      watch.task =
          TIMER.scheduleWithFixedDelay(
              watch::check, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }
    return () -> {
      if (watch.stop()) {
        closeAfterResponse.run();
      }
    };
  }

  /** Stops the watch, waiting out a check in progress; whether it read a byte of data. */
  private synchronized boolean stop() {
    over = true;
    task.cancel(false);
    return dataRead;
  }

  private void check() {
    boolean gone;
    synchronized (this) {
      if (over) {
        return;
      }
      int read;
      try {
        probe.clear();
        read = channel.read(probe); // the connector's channels do not block
      } catch (IOException e) {
        read = -1; // reset by the client
      }
      if (read == 0) {
        return;
      }
      over = true;
      task.cancel(false);
      dataRead = read > 0;
      gone = read < 0;
    }
    if (gone) {
      onGone.run(); // outside the lock: it cancels the exchange, which stops this watch
    }
  }
}
