package dev.llmproxy.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The credential the proxy presents to the upstream provider in place of the caller's token.
 * Secrets are {@link Secret}s, so printing a credential never reveals them.
 */
public sealed interface UpstreamCredential {

  /** Where this credential came from, for audit events: e.g. {@code "user_key"}. */
  String source();

  /** A provider API key ({@code x-api-key} for Anthropic, bearer for OpenAI). */
  record ApiKey(Secret key, String source) implements UpstreamCredential {
    public ApiKey {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * An OAuth access token, e.g. a Claude subscription token, sent as {@code Authorization: Bearer}.
   *
   * @param expiresAt when the token stops working, if known
   */
  record OAuthToken(Secret accessToken, Optional<Instant> expiresAt, String source)
      implements UpstreamCredential {
    public OAuthToken {
      Objects.requireNonNull(accessToken, "accessToken");
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(source, "source");
    }

    /** Whether the token has expired at {@code now}. */
    public boolean isExpiredAt(Instant now) {
      return expiresAt.map(now::isAfter).orElse(false);
    }
  }
}
