package dev.llmproxy.spring;

import dev.llmproxy.core.LlmProxy;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the proxy in the first shutdown phase, before the web server's graceful shutdown and stop,
 * so streams in flight can still write during the drain; the proxy's destroy method is only a
 * backstop.
 */
final class ProxyShutdown implements SmartLifecycle {
  private final LlmProxy proxy;
  private final AtomicBoolean running = new AtomicBoolean();

  ProxyShutdown(LlmProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void start() {
    running.set(true);
  }

  @Override
  public void stop() {
    if (running.compareAndSet(true, false)) {
      proxy.close();
    }
  }

  @Override
  public boolean isRunning() {
    return running.get();
  }

  /** The latest phase: stopped first, before the web server (Boot's are lower). */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }
}
