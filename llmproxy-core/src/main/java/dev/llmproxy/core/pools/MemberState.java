package dev.llmproxy.core.pools;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One pool member's state now, for health pages and metrics; never a credential.
 *
 * @param provider the pool's provider, e.g. {@code anthropic}
 * @param member the member's id
 * @param restingUntil when it may be used again, if it rests (rate limited or failing)
 * @param inFlight exchanges it serves now
 */
public record MemberState(
    String provider, String member, Optional<Instant> restingUntil, int inFlight) {
  public MemberState {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(restingUntil, "restingUntil");
  }

  /** Whether it rests now. */
  public boolean resting() {
    return restingUntil.isPresent();
  }
}
