package dev.llmproxy.springexample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/**
 * A chunked upstream body written as the test says: each {@link #send} writes and flushes one
 * chunk, {@link #end} the final chunk, {@link #breakOff} drops the connection without it.
 */
final class ScriptedBody implements MockResponseBody {
  private static final String END = "\0end";
  private static final String BREAK = "\0break";

  private final BlockingQueue<String> steps = new LinkedBlockingQueue<>();
  private final BlockingQueue<Long> sentAt = new LinkedBlockingQueue<>();

  /** Writes {@code data} as one chunk, now. */
  void send(String data) {
    steps.add(data);
  }

  void end() {
    steps.add(END);
  }

  void breakOff() {
    steps.add(BREAK);
  }

  /** When ({@link System#nanoTime()}) the next chunk left the upstream. */
  long nextSentAt(Duration within) throws InterruptedException {
    Long at = sentAt.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    if (at == null) {
      throw new AssertionError("the upstream sent no chunk within " + within);
    }
    return at;
  }

  @Override
  public long getContentLength() {
    return -1;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    while (true) {
      String step;
      try {
        step = steps.poll(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      if (step == null || step.equals(BREAK)) {
        throw new IOException("the upstream breaks off on purpose");
      }
      if (step.equals(END)) {
        sink.writeUtf8("0\r\n\r\n").flush();
        return;
      }
      byte[] bytes = step.getBytes(StandardCharsets.UTF_8);
      sink.writeUtf8(Integer.toHexString(bytes.length)).writeUtf8("\r\n");
      sink.write(bytes).writeUtf8("\r\n").flush();
      sentAt.add(System.nanoTime());
    }
  }
}
