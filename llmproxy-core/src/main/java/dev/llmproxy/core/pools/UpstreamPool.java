package dev.llmproxy.core.pools;

import dev.llmproxy.api.ProviderId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Several upstream accounts behind one provider, and how requests are spread and failed over among
 * them. Immutable; build one with {@link #builder(ProviderId)} and hand it to {@code
 * LlmProxy.Builder.addPool}.
 *
 * <pre>{@code
 * UpstreamPool pool = UpstreamPool.builder(ProviderId.ANTHROPIC)
 *     .strategy(PoolStrategy.FILL_FIRST)
 *     .addMember(PoolMember.apiKey("org-a", orgAKey))
 *     .addMember(PoolMember.apiKey("org-b", orgBKey).withBaseUrl("https://eu.example.com"))
 *     .alias("fast", "claude-haiku-4-5")
 *     .build();
 * }</pre>
 *
 * <p>A pool serves the requests for which the proxy's credential store finds no credential (a
 * user's own key is a pool of one and is never failed over). A request moves to the next member on
 * a connection failure, a connect timeout or a {@linkplain #retryOn() retry status}, only before
 * any byte reached the client, at most {@linkplain #maxTries() max tries} times and while the
 * {@linkplain #deadline() deadline} has not passed; a member that answered 429 or 529 rests for the
 * answer's {@code retry-after} (else {@linkplain #cooldown() cooldown}).
 */
public final class UpstreamPool {
  /** The statuses that move a request to the next member by default. */
  public static final Set<Integer> DEFAULT_RETRY_ON = Set.of(429, 529, 500, 502, 503, 504);

  /** How long after the first try the last may start, by default: 30 seconds. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

  /** How long a rate-limited member rests when its answer says nothing: 60 seconds. */
  public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(60);

  private final ProviderId provider;
  private final PoolStrategy strategy;
  private final List<PoolMember> members;
  private final Set<Integer> retryOn;
  private final int maxTries;
  private final Duration deadline;
  private final Duration cooldown;
  private final Affinity affinity;
  private final Optional<String> affinityHeader;
  private final Map<String, String> aliases;

  /** What keeps a conversation on one member. */
  public enum Affinity {
    /** Nothing: every request is placed by the strategy. */
    NONE,
    /** The value of {@link #affinityHeader()}, or the principal when a request has none. */
    HEADER,
    /** The principal. */
    PRINCIPAL
  }

  private UpstreamPool(Builder b) {
    this.provider = b.provider;
    this.strategy = b.strategy != null ? b.strategy : PoolStrategy.ROUND_ROBIN;
    this.members = List.copyOf(b.members);
    this.retryOn = b.retryOn != null ? Set.copyOf(b.retryOn) : DEFAULT_RETRY_ON;
    this.maxTries = b.maxTries != null ? b.maxTries : members.size();
    this.deadline = b.deadline != null ? b.deadline : DEFAULT_DEADLINE;
    this.cooldown = b.cooldown != null ? b.cooldown : DEFAULT_COOLDOWN;
    this.affinity = b.affinity != null ? b.affinity : Affinity.NONE;
    this.affinityHeader = Optional.ofNullable(b.affinityHeader);
    this.aliases = Map.copyOf(b.aliases);
  }

  /** A builder for a pool serving {@code provider}. */
  public static Builder builder(ProviderId provider) {
    return new Builder(Objects.requireNonNull(provider, "provider"));
  }

  /** The provider whose requests this pool serves. */
  public ProviderId provider() {
    return provider;
  }

  /** How members are picked; default {@link PoolStrategy#ROUND_ROBIN}. */
  public PoolStrategy strategy() {
    return strategy;
  }

  /** The members, in order (the order {@link PoolStrategy#FILL_FIRST} fills them). */
  public List<PoolMember> members() {
    return members;
  }

  /**
   * The upstream statuses that move a request to the next member; default {@link
   * #DEFAULT_RETRY_ON}.
   */
  public Set<Integer> retryOn() {
    return retryOn;
  }

  /** The most members one request tries; default the number of members. */
  public int maxTries() {
    return maxTries;
  }

  /** No try starts later than this after the first; default {@link #DEFAULT_DEADLINE}. */
  public Duration deadline() {
    return deadline;
  }

  /** How long a member rests after a 429 or 529 without {@code retry-after}; default 60 s. */
  public Duration cooldown() {
    return cooldown;
  }

  /** What keeps a conversation on one member; default {@link Affinity#NONE}. */
  public Affinity affinity() {
    return affinity;
  }

  /** The header whose value names a conversation, under {@link Affinity#HEADER}. */
  public Optional<String> affinityHeader() {
    return affinityHeader;
  }

  /** Model aliases: the name a client may send, and the model the upstream is asked for instead. */
  public Map<String, String> aliases() {
    return aliases;
  }

  @Override
  public String toString() {
    return "UpstreamPool[" + provider + ", " + strategy.configName() + ", " + members + "]";
  }

  /**
   * Configures an {@link UpstreamPool}. At least one member is required; each setter may be called
   * once.
   */
  public static final class Builder {
    private final ProviderId provider;
    private final List<PoolMember> members = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private PoolStrategy strategy;
    private Set<Integer> retryOn;
    private Integer maxTries;
    private Duration deadline;
    private Duration cooldown;
    private Affinity affinity;
    private String affinityHeader;

    private Builder(ProviderId provider) {
      this.provider = provider;
    }

    /** How members are picked. */
    public Builder strategy(PoolStrategy strategy) {
      requireUnset(this.strategy, "strategy");
      this.strategy = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /**
     * Adds a member; order matters to {@link PoolStrategy#FILL_FIRST}.
     *
     * @throws IllegalArgumentException if the pool already has a member of that id
     */
    public Builder addMember(PoolMember member) {
      Objects.requireNonNull(member, "member");
      if (!ids.add(member.id())) {
        throw new IllegalArgumentException("two members with id '" + member.id() + "'");
      }
      members.add(member);
      return this;
    }

    /** The upstream statuses (400 to 599) that move a request to the next member. */
    public Builder retryOn(Set<Integer> statuses) {
      requireUnset(retryOn, "retryOn");
      for (int status : statuses) {
        if (status < 400 || status > 599) {
          throw new IllegalArgumentException("retry_on: " + status + " is not an error status");
        }
      }
      this.retryOn = Set.copyOf(statuses);
      return this;
    }

    /** The most members one request tries, at least 1. */
    public Builder maxTries(int tries) {
      requireUnset(maxTries, "maxTries");
      if (tries < 1) {
        throw new IllegalArgumentException("max_tries must be at least 1");
      }
      this.maxTries = tries;
      return this;
    }

    /** No try starts later than this after the first; positive. */
    public Builder deadline(Duration deadline) {
      requireUnset(this.deadline, "deadline");
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline_ms must be positive");
      }
      this.deadline = deadline;
      return this;
    }

    /** How long a member rests after a 429 or 529 that says nothing of when to come back. */
    public Builder cooldown(Duration cooldown) {
      requireUnset(this.cooldown, "cooldown");
      if (cooldown.isNegative()) {
        throw new IllegalArgumentException("cooldown_ms must not be negative");
      }
      this.cooldown = cooldown;
      return this;
    }

    /**
     * Keeps requests with the same value of header {@code name} (or, without it, of the same
     * principal) on one member while it is healthy, so the upstream's prompt cache keeps working.
     */
    public Builder affinityHeader(String name) {
      requireUnset(affinity, "affinity");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("affinity_header must not be blank");
      }
      this.affinity = Affinity.HEADER;
      this.affinityHeader = name.trim();
      return this;
    }

    /** Keeps each principal's requests on one member while it is healthy. */
    public Builder affinityByPrincipal() {
      requireUnset(affinity, "affinity");
      this.affinity = Affinity.PRINCIPAL;
      return this;
    }

    /**
     * Rewrites a request body's top-level {@code model} from {@code alias} to {@code model} before
     * the request is authorized, priced and sent; the event records the alias.
     */
    public Builder alias(String alias, String model) {
      if (alias == null || alias.isEmpty() || model == null || model.isEmpty()) {
        throw new IllegalArgumentException("aliases: names must not be empty");
      }
      if (aliases.putIfAbsent(alias, model) != null) {
        throw new IllegalArgumentException("aliases: '" + alias + "' given twice");
      }
      return this;
    }

    /**
     * The pool.
     *
     * @throws IllegalStateException without members
     */
    public UpstreamPool build() {
      if (members.isEmpty()) {
        throw new IllegalStateException("a pool for " + provider + " needs at least one member");
      }
      return new UpstreamPool(this);
    }

    private static void requireUnset(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }
  }
}
