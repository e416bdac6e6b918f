package dev.llmproxy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecretsNeverPrintTest {
  private static final String KEY = "sk-ant-super-secret-value";

  @Test
  void secretsAndTheValuesHoldingThemNeverPrintTheSecret() {
    Secret secret = Secret.of(KEY);
    for (Object holder :
        new Object[] {
          secret,
          new UpstreamCredential.ApiKey(secret, "user_key"),
          new UpstreamCredential.OAuthToken(secret, Optional.of(Instant.EPOCH), "claude"),
          new PresentedCredential(secret, PresentedCredential.Location.X_API_KEY),
          Headers.of("x-api-key", KEY),
          new UpstreamRequest("POST", "https://u/v1", Headers.of("x-api-key", KEY), new byte[0])
        }) {
      assertFalse(holder.toString().contains(KEY), holder.getClass() + ": " + holder);
    }
    assertEquals(KEY, secret.reveal());
  }

  @Test
  void matchesComparesByValue() {
    assertTrue(Secret.of("abc").matches("abc"));
    assertFalse(Secret.of("abc").matches("abd"));
    assertFalse(Secret.of("abc").matches(null));
    assertEquals(Secret.of("abc"), Secret.of("abc"));
  }

  @Test
  void headersAreCaseInsensitiveAndOrdered() {
    Headers headers = Headers.of("Accept", "a", "X-Multi", "1", "x-multi", "2");
    assertEquals("a", headers.first("ACCEPT").orElseThrow());
    assertEquals(java.util.List.of("1", "2"), headers.values("X-MULTI"));
    assertEquals(
        java.util.List.of("3"), headers.toBuilder().set("x-multi", "3").build().values("x-multi"));
  }
}
