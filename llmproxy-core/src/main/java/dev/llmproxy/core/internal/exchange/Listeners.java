package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.ProxyListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers each event to every listener; one that throws is logged and skipped. */
final class Listeners {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private final List<ProxyListener> listeners;

  Listeners(List<ProxyListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  void publish(ProxyEvent event) {
    for (int i = 0; i < listeners.size(); i++) {
      ProxyListener listener = listeners.get(i);
      try {
        listener.onExchange(event);
      } catch (RuntimeException | LinkageError e) {
        log.warn("Listener {} failed on an event; ignored", listener.getClass().getName(), e);
      }
    }
  }
}
