package dev.llmproxy.core;

import dev.llmproxy.api.Secret;
import java.time.Instant;
import java.util.Objects;

/**
 * A proxy token issued by {@link IssuedTokens}: its record, and — only at issue time — the token
 * value itself.
 *
 * @param id public identifier, safe to show and log
 * @param user the user the token acts for
 * @param tier the token's rate-limit tier
 * @param createdAt when it was issued
 * @param revoked whether it was revoked
 */
public record IssuedToken(String id, String user, String tier, Instant createdAt, boolean revoked) {
  public IssuedToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A newly issued token: the only time its value is available. */
  public record Issued(IssuedToken record, Secret token) {}
}
