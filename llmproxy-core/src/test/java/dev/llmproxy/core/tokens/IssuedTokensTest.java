package dev.llmproxy.core.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenStore;
import dev.llmproxy.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IssuedTokensTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final CountingStore store = new CountingStore(TokenStores.inMemory());
  private final IssuedTokens tokens = IssuedTokens.builder(store).clock(clock).build();

  private static TokenResolution resolve(IssuedTokens tokens, Secret token) {
    return tokens.resolve(new PresentedCredential(token, PresentedCredential.Location.X_API_KEY));
  }

  @Test
  void tokensArePrefixedRandomAndStoredOnlyAsHashes() {
    IssuedTokens.Issued first = tokens.issue(TokenSpec.user("alice", "free"));
    IssuedTokens.Issued second = tokens.issue(TokenSpec.user("alice", "free"));
    String token = first.token().reveal();
    assertTrue(token.startsWith("lp_sk_"), token);
    assertEquals(6 + 43, token.length()); // 256 bits, base64url
    assertNotEquals(token, second.token().reveal());
    assertNotEquals(first.record().id(), second.record().id());

    TokenRecord stored = store.findById(first.record().id()).orElseThrow();
    assertEquals(TokenHashes.sha256Hex(token), stored.tokenHash());
    assertFalse(stored.toString().contains(token));
    assertFalse(stored.tokenHash().contains(token.substring(6)));
  }

  @Test
  void resolvesToThePrincipalWithItsTokenId() {
    IssuedTokens.Issued issued = tokens.issue(TokenSpec.user("alice", "pro"));
    TokenResolution.Authenticated resolved =
        assertInstanceOf(TokenResolution.Authenticated.class, resolve(tokens, issued.token()));
    assertEquals("alice", resolved.principal().id());
    assertEquals("pro", resolved.principal().tier());
    assertEquals(Principal.Kind.USER, resolved.principal().kind());
    assertEquals(issued.record().id(), resolved.principal().tokenId().orElseThrow());
  }

  @Test
  void hashComparisonIsExactAndConstantTimeShaped() {
    String hash = TokenHashes.sha256Hex("lp_sk_x");
    assertTrue(IssuedTokens.sameHash(hash, TokenHashes.sha256Hex("lp_sk_x")));
    assertFalse(IssuedTokens.sameHash(hash, TokenHashes.sha256Hex("lp_sk_y")));
    assertFalse(IssuedTokens.sameHash(hash, hash.substring(2)));
    assertFalse(IssuedTokens.sameHash(hash, "zz"));
  }

  @Test
  void revokingHereTakesEffectAtOnceDespiteTheCache() {
    IssuedTokens.Issued issued = tokens.issue(TokenSpec.user("alice", "free"));
    assertInstanceOf(TokenResolution.Authenticated.class, resolve(tokens, issued.token()));
    assertTrue(tokens.revoke(issued.record().id()));
    assertEquals(
        TokenResolution.rejected(TokenResolution.Reason.REVOKED), resolve(tokens, issued.token()));
    assertFalse(tokens.revoke("tok_unknown"));
  }

  @Test
  void revokingElsewhereTakesEffectWithinTheCacheTtl() {
    IssuedTokens other = IssuedTokens.builder(store).clock(clock).build();
    IssuedTokens.Issued issued = tokens.issue(TokenSpec.user("alice", "free"));
    assertInstanceOf(TokenResolution.Authenticated.class, resolve(tokens, issued.token()));

    other.revoke(issued.record().id());
    assertInstanceOf(
        TokenResolution.Authenticated.class,
        resolve(tokens, issued.token()),
        "still cached: documented staleness up to the TTL");
    clock.advance(IssuedTokens.DEFAULT_CACHE_TTL.plusMillis(1));
    assertEquals(
        TokenResolution.rejected(TokenResolution.Reason.REVOKED), resolve(tokens, issued.token()));
  }

  @Test
  void expiryIsCheckedOnEveryRequestCachedOrNot() {
    TokenSpec spec =
        new TokenSpec(
            "alice",
            Principal.Kind.USER,
            "free",
            Optional.of(clock.instant().plusSeconds(5)),
            OptionalLong.empty(),
            OptionalLong.empty(),
            List.of(),
            Set.of());
    IssuedTokens.Issued issued = tokens.issue(spec);
    assertInstanceOf(TokenResolution.Authenticated.class, resolve(tokens, issued.token()));
    clock.advance(Duration.ofSeconds(5));
    assertEquals(
        TokenResolution.rejected(TokenResolution.Reason.EXPIRED), resolve(tokens, issued.token()));
  }

  @Test
  void lookupsAreCachedAndUnknownTokensToo() {
    IssuedTokens.Issued issued = tokens.issue(TokenSpec.user("alice", "free"));
    int before = store.hashReads.get();
    for (int i = 0; i < 5; i++) {
      resolve(tokens, issued.token());
    }
    assertEquals(before + 1, store.hashReads.get());

    Secret unknown = Secret.of("lp_sk_unknown");
    for (int i = 0; i < 5; i++) {
      assertEquals(
          TokenResolution.rejected(TokenResolution.Reason.UNKNOWN), resolve(tokens, unknown));
    }
    assertEquals(before + 2, store.hashReads.get(), "negative result cached");
    clock.advance(IssuedTokens.DEFAULT_NEGATIVE_CACHE_TTL.plusMillis(1));
    resolve(tokens, unknown);
    assertEquals(before + 3, store.hashReads.get(), "negative entries expire sooner");
  }

  /** Counts hash lookups that reach the store. */
  private static final class CountingStore implements TokenStore {
    private final TokenStore delegate;
    final AtomicInteger hashReads = new AtomicInteger();

    CountingStore(TokenStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public void insert(TokenRecord record) {
      delegate.insert(record);
    }

    @Override
    public Optional<TokenRecord> findByHash(String tokenHash) {
      hashReads.incrementAndGet();
      return delegate.findByHash(tokenHash);
    }

    @Override
    public Optional<TokenRecord> findById(String id) {
      return delegate.findById(id);
    }

    @Override
    public List<TokenRecord> list() {
      return delegate.list();
    }

    @Override
    public boolean revoke(String id) {
      return delegate.revoke(id);
    }
  }
}
