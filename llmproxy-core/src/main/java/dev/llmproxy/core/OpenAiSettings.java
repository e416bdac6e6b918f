package dev.llmproxy.core;

import dev.llmproxy.core.internal.provider.BaseUrls;

/**
 * How the proxy reaches OpenAI, served at {@code {mount}/openai/…}; clients use {@code
 * {mount}/openai/v1} as their base URL, so paths keep their {@code /v1}.
 *
 * @param baseUrl OpenAI's base URL, absolute http(s) without a query; a trailing slash is dropped
 * @param injectStreamUsage whether streaming Chat Completions requests get {@code
 *     stream_options.include_usage=true}, so every stream is metered. Off by default: it changes
 *     the request body and adds a final chunk with empty {@code choices} that a hand-written client
 *     may not expect (the official SDKs handle it).
 */
public record OpenAiSettings(String baseUrl, boolean injectStreamUsage) {
  /** OpenAI's public API. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com";

  public OpenAiSettings {
    baseUrl = BaseUrls.normalize(baseUrl);
  }

  /** OpenAI's public API, requests forwarded unchanged. */
  public static OpenAiSettings defaults() {
    return new OpenAiSettings(DEFAULT_BASE_URL, false);
  }

  /** These settings with another base URL. */
  public OpenAiSettings withBaseUrl(String baseUrl) {
    return new OpenAiSettings(baseUrl, injectStreamUsage);
  }

  /** These settings with stream-usage injection on or off. */
  public OpenAiSettings withStreamUsageInjected(boolean inject) {
    return new OpenAiSettings(baseUrl, inject);
  }
}
