/**
 * Micrometer metrics for llmproxy: {@link dev.llmproxy.micrometer.LlmProxyMetrics}, an {@link
 * dev.llmproxy.api.ExchangeObserver} to add to the proxy's builder.
 */
package dev.llmproxy.micrometer;
