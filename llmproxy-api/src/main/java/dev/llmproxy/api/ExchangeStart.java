package dev.llmproxy.api;

import java.time.Instant;
import java.util.Objects;

/**
 * What is known of an exchange as it starts, before any stage ran. Carries no secret: of the
 * caller's headers only the W3C trace context.
 *
 * @param timestamp when the exchange started, by the engine's clock
 * @param method the HTTP method
 * @param path the path below the mount point, e.g. {@code /anthropic/v1/messages}
 * @param provider the provider segment of the path, as requested; empty when it names none
 * @param traceContext the caller's {@code traceparent} and {@code tracestate} headers, when sent
 */
public record ExchangeStart(
    Instant timestamp, String method, String path, String provider, Headers traceContext) {

  /** The request headers an {@code ExchangeStart} carries: the W3C trace context alone. */
  public static final java.util.List<String> TRACE_HEADERS =
      java.util.List.of("traceparent", "tracestate");

  public ExchangeStart {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(traceContext, "traceContext");
  }
}
