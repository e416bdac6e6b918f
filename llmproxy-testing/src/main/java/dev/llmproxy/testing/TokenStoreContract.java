package dev.llmproxy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.api.TokenStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TokenStore} must do, as a JUnit 5 suite: extend it and return a fresh, empty
 * store from {@link #store()}.
 */
public abstract class TokenStoreContract {
  /** A fresh, empty store. */
  protected abstract TokenStore store() throws Exception;

  private static TokenRecord record(String id, String hash, Instant created) {
    return new TokenRecord(
        id,
        hash,
        "alice",
        Principal.Kind.SERVICE,
        "pro",
        created,
        Optional.of(Instant.parse("2027-01-01T00:00:00Z")),
        OptionalLong.of(100),
        OptionalLong.of(5_000_000_000L),
        List.of("claude-*", "gpt-4o*"),
        Set.of(ProviderId.ANTHROPIC, ProviderId.OPENAI),
        false,
        Set.of("inference", "count_tokens"),
        BudgetPeriod.parse("PT6H"),
        Optional.of("platform"),
        OptionalLong.of(40_000));
  }

  @Test
  public void roundTripsEveryFieldAndFindsByHashAndId() throws Exception {
    TokenStore store = store();
    TokenRecord a = record("tok_a", "a".repeat(64), Instant.parse("2026-11-23T10:00:00Z"));
    TokenRecord b =
        new TokenRecord(
            "tok_b",
            "b".repeat(64),
            "bob",
            Principal.Kind.USER,
            "free",
            Instant.parse("2026-11-23T11:00:00Z"),
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            List.of(),
            Set.of(),
            false,
            Set.of(), // a token for no endpoint
            BudgetPeriod.monthly(),
            Optional.empty(),
            OptionalLong.empty());
    store.insert(b);
    store.insert(a);
    assertEquals(a, store.findByHash("a".repeat(64)).orElseThrow());
    assertEquals(b, store.findById("tok_b").orElseThrow());
    assertTrue(store.findByHash("c".repeat(64)).isEmpty());
    assertEquals(List.of(a, b), store.list(), "oldest first");
  }

  @Test
  public void revokeIsIdempotentAndDuplicatesAreRefused() throws Exception {
    TokenStore store = store();
    TokenRecord a = record("tok_a", "a".repeat(64), Instant.parse("2026-11-23T10:00:00Z"));
    store.insert(a);
    assertThrows(IllegalStateException.class, () -> store.insert(a));
    assertTrue(store.revoke("tok_a"));
    assertTrue(store.revoke("tok_a"));
    assertFalse(store.revoke("tok_none"));
    assertTrue(store.findById("tok_a").orElseThrow().revoked());
  }
}
