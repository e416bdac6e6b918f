package dev.llmproxy.api;

/**
 * Receives one {@link ProxyEvent} per exchange, after the exchange has ended: for audit logs,
 * traces, metrics.
 *
 * <p>Called on the exchange's thread; keep it fast or hand off. An exception thrown here is logged
 * and otherwise ignored: a listener can never break a proxied call.
 */
@FunctionalInterface
public interface ProxyListener {
  void onExchange(ProxyEvent event);
}
