package dev.llmproxy.core.internal.provider;

import dev.llmproxy.core.AnthropicSettings;
import dev.llmproxy.core.CompatibleUpstream;
import dev.llmproxy.core.OpenAiSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the provider profiles from their settings. Adding a provider starts here. */
public final class Providers {
  private Providers() {}

  /**
   * A router over Anthropic, OpenAI and the compatible upstreams, each under its name; Anthropic's
   * envelope answers paths that name no provider.
   *
   * @throws IllegalArgumentException if two upstreams share a name
   */
  public static Router router(
      AnthropicSettings anthropic, OpenAiSettings openAi, List<CompatibleUpstream> compatible) {
    Map<String, ProviderProfile> profiles = new LinkedHashMap<>();
    ProviderProfile anthropicProfile = new AnthropicProfile(anthropic.baseUrl());
    profiles.put(anthropicProfile.id().value(), anthropicProfile);
    ProviderProfile openAiProfile = new OpenAiProfile(openAi.baseUrl(), openAi.injectStreamUsage());
    profiles.put(openAiProfile.id().value(), openAiProfile);
    for (CompatibleUpstream upstream : compatible) {
      if (profiles.putIfAbsent(upstream.name().value(), new OpenAiProfile(upstream)) != null) {
        throw new IllegalArgumentException("two upstreams named " + upstream.name());
      }
    }
    return new Router(profiles, anthropicProfile);
  }
}
