package dev.llmproxy.core.tokens;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.TeamBudget;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.api.TokenStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Issues {@code lp_sk_…} proxy tokens and resolves them, over a {@link TokenStore} that keeps only
 * SHA-256 hashes.
 *
 * <p>A token is 256 random bits from {@link SecureRandom}, returned once at issue. Resolution
 * hashes the presented token, looks the hash up, and confirms it with a constant-time compare.
 * Lookups are cached (Caffeine) for a short TTL, unknown hashes too (negative caching), so a burst
 * of requests costs one store read. Revoking through this object invalidates its cache at once; a
 * revocation made elsewhere (another instance, the CLI) takes effect within the TTL. Expiry is
 * checked on every request against the clock, cached or not.
 */
public final class IssuedTokens implements TokenResolver {
  /** Prefix of every issued token, so leaked tokens are recognisable by secret scanners. */
  public static final String PREFIX = "lp_sk_";

  /** Default time a looked-up token record is trusted without re-reading the store. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(10);

  /** Default time an unknown token is remembered as unknown. */
  public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofSeconds(2);

  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

  private final TokenStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Cache<String, Optional<TokenRecord>> cache;
  private final Map<String, TeamBudget> teams;

  private IssuedTokens(Builder builder) {
    this.store = builder.store;
    this.teams = Map.copyOf(builder.teams);
    this.clock = builder.clock;
    Duration positive = builder.cacheTtl;
    Duration negative = builder.negativeCacheTtl;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfter(
                Expiry.<String, Optional<TokenRecord>>writing(
                    (hash, record) -> record.isPresent() ? positive : negative))
            .build();
  }

  /** A builder over {@code store}. */
  public static Builder builder(TokenStore store) {
    return new Builder(store);
  }

  /** A newly issued token: the only time its value is available. */
  public record Issued(TokenRecord record, Secret token) {}

  /** Issues a token as {@code spec} describes. */
  public Issued issue(TokenSpec spec) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + BASE64.encodeToString(secret);
    byte[] idBytes = new byte[9];
    random.nextBytes(idBytes);
    TokenRecord record =
        new TokenRecord(
            "tok_" + BASE64.encodeToString(idBytes),
            TokenHashes.sha256Hex(token),
            spec.user(),
            spec.kind(),
            spec.tier(),
            clock.instant(),
            spec.expiresAt(),
            spec.maxRequests(),
            spec.maxSpendNanoUsd(),
            spec.models(),
            spec.providers(),
            false,
            spec.scopes(),
            spec.period(),
            spec.team(),
            spec.maxTokensPerMinute());
    store.insert(record);
    cache.invalidate(record.tokenHash());
    return new Issued(record, Secret.of(token));
  }

  /** Every issued token, oldest first. */
  public List<TokenRecord> list() {
    return store.list();
  }

  /** The token with {@code id}. */
  public Optional<TokenRecord> find(String id) {
    return store.findById(id);
  }

  /** Revokes token {@code id} here and in the store; false if there is no such token. */
  public boolean revoke(String id) {
    Optional<TokenRecord> record = store.findById(id);
    if (record.isEmpty()) {
      return false;
    }
    boolean revoked = store.revoke(id);
    cache.invalidate(record.get().tokenHash());
    return revoked;
  }

  @Override
  public TokenResolution resolve(PresentedCredential credential) {
    String hash = TokenHashes.sha256Hex(credential.token().reveal());
    Optional<TokenRecord> found = cache.get(hash, store::findByHash);
    if (found.isEmpty() || !sameHash(found.get().tokenHash(), hash)) {
      return TokenResolution.rejected(TokenResolution.Reason.UNKNOWN);
    }
    TokenRecord record = found.get();
    if (record.revoked()) {
      return TokenResolution.rejected(TokenResolution.Reason.REVOKED);
    }
    if (record.isExpiredAt(clock.instant())) {
      return TokenResolution.rejected(TokenResolution.Reason.EXPIRED);
    }
    return TokenResolution.authenticated(
        new Principal(
            record.user(),
            record.kind(),
            record.tier(),
            record.scopes(),
            Map.of(Principal.TOKEN_ID, record.id()),
            new Limits(
                record.maxRequests(),
                record.maxSpendNanoUsd(),
                record.models(),
                record.providers(),
                record.period(),
                record.team().map(this::team).map(List::of).orElse(List.of()),
                record.maxTokensPerMinute())));
  }

  /** The caps of {@code team}: as configured, or none (its usage is still counted). */
  public TeamBudget team(String team) {
    TeamBudget budget = teams.get(team);
    return budget != null
        ? budget
        : new TeamBudget(team, OptionalLong.empty(), OptionalLong.empty(), BudgetPeriod.LIFETIME);
  }

  /** Constant-time comparison of two hex digests. */
  static boolean sameHash(String stored, String presented) {
    HexFormat hex = HexFormat.of();
    try {
      return MessageDigest.isEqual(hex.parseHex(stored), hex.parseHex(presented));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "IssuedTokens[" + store.getClass().getSimpleName() + "]";
  }

  /** Configures {@link IssuedTokens}. */
  public static final class Builder {
    private final TokenStore store;
    private Clock clock = Clock.systemUTC();
    private Duration cacheTtl = DEFAULT_CACHE_TTL;
    private Duration negativeCacheTtl = DEFAULT_NEGATIVE_CACHE_TTL;
    private final Map<String, TeamBudget> teams = new java.util.HashMap<>();

    private Builder(TokenStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** The clock for issue times, expiry and cache expiry; default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** How long a found token is trusted before the store is asked again; default 10 s. */
    public Builder cacheTtl(Duration ttl) {
      this.cacheTtl = Objects.requireNonNull(ttl);
      return this;
    }

    /** How long an unknown token is remembered as unknown; default 2 s. */
    public Builder negativeCacheTtl(Duration ttl) {
      this.negativeCacheTtl = Objects.requireNonNull(ttl);
      return this;
    }

    /**
     * The caps of a team that tokens may belong to; a team without caps here still has its usage
     * counted.
     */
    public Builder team(TeamBudget budget) {
      teams.put(budget.team(), budget);
      return this;
    }

    public IssuedTokens build() {
      return new IssuedTokens(this);
    }
  }
}
