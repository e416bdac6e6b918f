/**
 * OpenTelemetry traces for llmproxy: {@link dev.llmproxy.opentelemetry.LlmProxyTracing}, an {@link
 * dev.llmproxy.api.ExchangeObserver} to add to the proxy's builder.
 */
package dev.llmproxy.opentelemetry;
