package dev.llmproxy.core;

import dev.llmproxy.core.internal.provider.BaseUrls;

/**
 * How the proxy reaches Anthropic, served at {@code {mount}/anthropic/…}.
 *
 * @param baseUrl Anthropic's base URL, absolute http(s) without a query; a trailing slash is
 *     dropped
 */
public record AnthropicSettings(String baseUrl) {
  /** Anthropic's public API. */
  public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";

  public AnthropicSettings {
    baseUrl = BaseUrls.normalize(baseUrl);
  }

  /** Anthropic's public API. */
  public static AnthropicSettings defaults() {
    return new AnthropicSettings(DEFAULT_BASE_URL);
  }
}
