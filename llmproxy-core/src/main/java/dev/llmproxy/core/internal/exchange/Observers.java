package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.ExchangeObserver;
import dev.llmproxy.api.ExchangeObserver.Observation;
import dev.llmproxy.api.ExchangeStart;
import dev.llmproxy.api.Headers;
import dev.llmproxy.api.ProxyEvent;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's {@link ExchangeObserver}s as one, each guarded: one that throws is logged and skipped,
 * and the others and the exchange go on.
 */
final class Observers {
  private static final Logger log = LoggerFactory.getLogger(Observers.class);

  private final List<ExchangeObserver> observers;

  Observers(List<ExchangeObserver> observers) {
    this.observers = List.copyOf(observers);
  }

  /** Starts observing the exchange in {@code x}; {@link Observation#NONE} when none observes. */
  Observation start(ExchangeState x) {
    if (observers.isEmpty()) {
      return Observation.NONE;
    }
    Headers.Builder trace = Headers.builder();
    for (String name : ExchangeStart.TRACE_HEADERS) {
      x.io.requestHeaders().first(name).ifPresent(value -> trace.add(name, value));
    }
    ExchangeStart start =
        new ExchangeStart(
            x.timestamp, x.io.method(), x.io.path(), x.route.provider(), trace.build());
    List<Observation> started = new ArrayList<>(observers.size());
    for (ExchangeObserver observer : observers) {
      try {
        started.add(observer.start(start));
      } catch (RuntimeException | LinkageError e) {
        log.warn("Observer {} failed to start; ignored", observer.getClass().getName(), e);
      }
    }
    return new Guarded(List.copyOf(started));
  }

  private record Guarded(List<Observation> observations) implements Observation {
    @Override
    public void stage(String name) {
      for (Observation o : observations) {
        try {
          o.stage(name);
        } catch (RuntimeException | LinkageError e) {
          log.warn("Observer {} failed on a stage; ignored", o.getClass().getName(), e);
        }
      }
    }

    @Override
    public void attach() {
      for (Observation o : observations) {
        try {
          o.attach();
        } catch (RuntimeException | LinkageError e) {
          log.warn("Observer {} failed to attach; ignored", o.getClass().getName(), e);
        }
      }
    }

    @Override
    public void detach() {
      for (Observation o : observations) {
        try {
          o.detach();
        } catch (RuntimeException | LinkageError e) {
          log.warn("Observer {} failed to detach; ignored", o.getClass().getName(), e);
        }
      }
    }

    @Override
    public void end(ProxyEvent event) {
      for (Observation o : observations) {
        try {
          o.end(event);
        } catch (RuntimeException | LinkageError e) {
          log.warn("Observer {} failed on an end; ignored", o.getClass().getName(), e);
        }
      }
    }
  }
}
