package dev.llmproxy.api;

import java.util.Objects;

/** The answer of a {@link TokenResolver}: a principal, or why there is none. */
public sealed interface TokenResolution {

  /** The token is valid and belongs to {@code principal}. */
  record Authenticated(Principal principal) implements TokenResolution {
    public Authenticated {
      Objects.requireNonNull(principal, "principal");
    }
  }

  /** The token is not accepted; {@code reason} decides between 401 and 403. */
  record Rejected(Reason reason) implements TokenResolution {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Why a token was rejected. */
  enum Reason {
    /** No such token: 401. */
    UNKNOWN,
    /** The token was valid but has expired: 401. */
    EXPIRED,
    /** The token was revoked: 403. */
    REVOKED
  }

  /** A successful resolution. */
  static TokenResolution authenticated(Principal principal) {
    return new Authenticated(principal);
  }

  /** A rejection for {@code reason}. */
  static TokenResolution rejected(Reason reason) {
    return new Rejected(reason);
  }
}
