package dev.llmproxy.servlet;

import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Writes through to the servlet stream while the exchange is open, under the exchange's lock; once
 * it has ended, or if the container throws, a write fails with an {@link IOException} ("client
 * gone") instead of touching a recycled response.
 */
final class GuardedOutput extends OutputStream {
  private final ServletOutputStream out;
  private final ReentrantLock lock;
  private final BooleanSupplier ended;

  GuardedOutput(ServletOutputStream out, ReentrantLock lock, BooleanSupplier ended) {
    this.out = out;
    this.lock = lock;
    this.ended = ended;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    lock.lock();
    try {
      ensureOpen();
      try {
        out.write(bytes, offset, length);
      } catch (RuntimeException e) {
        throw new IOException("response unusable (client gone)", e);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void flush() throws IOException {
    lock.lock();
    try {
      ensureOpen();
      try {
        out.flush();
      } catch (RuntimeException e) {
        throw new IOException("response unusable (client gone)", e);
      }
    } finally {
      lock.unlock();
    }
  }

  private void ensureOpen() throws IOException {
    if (ended.getAsBoolean()) {
      throw new IOException("the exchange has ended (client gone)");
    }
  }
}
