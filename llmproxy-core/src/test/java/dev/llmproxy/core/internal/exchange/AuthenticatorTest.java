package dev.llmproxy.core.internal.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  private final Authenticator authenticator =
      new Authenticator(
          StaticTokenResolver.of(Map.of("lp_sk_good", Principal.user("alice", "pro"))));

  @Test
  void acceptsXApiKeyOrBearer() throws ProxyError {
    assertEquals("alice", authenticator.authenticate(Headers.of("x-api-key", "lp_sk_good")).id());
    assertEquals(
        "alice", authenticator.authenticate(Headers.of("Authorization", "bearer lp_sk_good")).id());
    assertEquals(
        PresentedCredential.Location.BEARER,
        Authenticator.presented(Headers.of("authorization", "Bearer  lp_sk_good ")).location());
  }

  @Test
  void missingUnknownAndConflictingTokensAre401() {
    for (Headers headers :
        new Headers[] {
          Headers.empty(),
          Headers.of("x-api-key", "lp_sk_bad"),
          Headers.of("authorization", "Basic Zm9v"),
          Headers.of("x-api-key", "lp_sk_good", "authorization", "Bearer lp_sk_other")
        }) {
      ProxyError error = assertThrows(ProxyError.class, () -> authenticator.authenticate(headers));
      assertEquals(401, error.status(), headers.toString());
      assertEquals(Outcome.AUTH_DENIED, error.outcome());
      assertFalse(error.getMessage().contains("lp_sk_"), "token echoed: " + error.getMessage());
    }
  }

  @Test
  void revokedIs403AndExpiredIs401() {
    Authenticator revoked =
        new Authenticator(c -> TokenResolution.rejected(TokenResolution.Reason.REVOKED));
    assertEquals(
        403,
        assertThrows(ProxyError.class, () -> revoked.authenticate(Headers.of("x-api-key", "t")))
            .status());
    Authenticator expired =
        new Authenticator(c -> TokenResolution.rejected(TokenResolution.Reason.EXPIRED));
    assertEquals(
        401,
        assertThrows(ProxyError.class, () -> expired.authenticate(Headers.of("x-api-key", "t")))
            .status());
  }

  @Test
  void aFailingResolverFailsClosedWith503() {
    Authenticator down =
        new Authenticator(
            c -> {
              throw new StoreUnavailableException("db down");
            });
    ProxyError error =
        assertThrows(ProxyError.class, () -> down.authenticate(Headers.of("x-api-key", "t")));
    assertEquals(503, error.status());
  }
}
