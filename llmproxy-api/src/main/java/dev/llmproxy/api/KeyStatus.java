package dev.llmproxy.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Whether a user has an upstream key configured for a provider, and since when. Never the key. */
public record KeyStatus(ProviderId provider, Optional<Instant> configuredAt) {
  public KeyStatus {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(configuredAt, "configuredAt");
  }

  /** Whether a key is configured. */
  public boolean configured() {
    return configuredAt.isPresent();
  }
}
