package dev.llmproxy.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened in one exchange: who called which provider and path, how it ended, how long it
 * took, and what it used and cost. Carries no secrets and no bodies.
 *
 * <p>Facts that an early failure leaves unknown (the principal of a rejected token, the model of a
 * request that was never read) are empty.
 */
public final class ProxyEvent {
  private final Instant timestamp;
  private final String principalId;
  private final String tokenId;
  private final String team;
  private final String responseModel;
  private final String finishReason;
  private final String provider;
  private final String method;
  private final String path;
  private final String model;
  private final int status;
  private final Outcome outcome;
  private final Duration latency;
  private final Duration timeToFirstByte;
  private final Duration overhead;
  private final Usage usage;
  private final long costNanoUsd;
  private final String credentialSource;
  private final boolean overshoot;
  private final boolean costEstimated;
  private final boolean reclaimed;
  private final String member;
  private final int tries;
  private final String modelAlias;

  private ProxyEvent(Builder b) {
    this.timestamp = Objects.requireNonNull(b.timestamp, "timestamp");
    this.principalId = b.principalId;
    this.tokenId = b.tokenId;
    this.team = b.team;
    this.responseModel = b.responseModel;
    this.finishReason = b.finishReason;
    this.provider = b.provider;
    this.method = Objects.requireNonNull(b.method, "method");
    this.path = Objects.requireNonNull(b.path, "path");
    this.model = b.model;
    this.status = b.status;
    this.outcome = Objects.requireNonNull(b.outcome, "outcome");
    this.latency = Objects.requireNonNull(b.latency, "latency");
    this.timeToFirstByte = b.timeToFirstByte;
    this.overhead = Objects.requireNonNull(b.overhead, "overhead");
    this.usage = Objects.requireNonNull(b.usage, "usage");
    this.costNanoUsd = b.costNanoUsd;
    this.credentialSource = b.credentialSource;
    this.overshoot = b.overshoot;
    this.costEstimated = b.costEstimated;
    this.reclaimed = b.reclaimed;
    this.member = b.member;
    this.tries = b.tries;
    this.modelAlias = b.modelAlias;
  }

  /** A new builder; the engine fills it in as the exchange proceeds. */
  public static Builder builder() {
    return new Builder();
  }

  /** When the exchange started. */
  public Instant timestamp() {
    return timestamp;
  }

  /** The authenticated principal's id. */
  public Optional<String> principalId() {
    return Optional.ofNullable(principalId);
  }

  /** The issued token that authenticated the caller. */
  public Optional<String> tokenId() {
    return Optional.ofNullable(tokenId);
  }

  /** The principal's first team (see {@link Limits#teams()}), if it has one. */
  public Optional<String> team() {
    return Optional.ofNullable(team);
  }

  /** The model the upstream says answered (which may name a dated version of the requested one). */
  public Optional<String> responseModel() {
    return Optional.ofNullable(responseModel);
  }

  /**
   * Why the generation stopped, as the upstream reported it ({@code end_turn}, {@code max_tokens},
   * {@code stop}, {@code length}, ...).
   */
  public Optional<String> finishReason() {
    return Optional.ofNullable(finishReason);
  }

  /** The provider segment of the route, as requested (even when unknown). */
  public Optional<String> provider() {
    return Optional.ofNullable(provider);
  }

  /** The HTTP method. */
  public String method() {
    return method;
  }

  /** The upstream path, without the mount prefix, provider or query. */
  public String path() {
    return path;
  }

  /** The {@code model} named in the request body. */
  public Optional<String> model() {
    return Optional.ofNullable(model);
  }

  /** The status code sent to the client. */
  public int status() {
    return status;
  }

  /** How the exchange ended. */
  public Outcome outcome() {
    return outcome;
  }

  /** From the start of the exchange to its last byte. */
  public Duration latency() {
    return latency;
  }

  /** From the start of the exchange until the upstream's response headers arrived. */
  public Optional<Duration> timeToFirstByte() {
    return Optional.ofNullable(timeToFirstByte);
  }

  /**
   * The proxy's own time, excluding the upstream's: from the start of the exchange until the
   * answer's headers were decided, less the time spent waiting on the upstream (from handing it the
   * request until its response headers arrived, summed over attempts). The {@code
   * x-llmproxy-overhead-ms} response header says the same. When no answer was started (the client
   * left first) it is measured until the exchange ended; zero for a {@linkplain #reclaimed()
   * reclaimed} hold.
   */
  public Duration overhead() {
    return overhead;
  }

  /** Token usage reported by the upstream; {@link Usage#NONE} when none was seen. */
  public Usage usage() {
    return usage;
  }

  /** Cost of {@link #usage()} in nano-US-dollars. */
  public long costNanoUsd() {
    return costNanoUsd;
  }

  /** Which upstream credential served the request, e.g. {@code user_key}; never the secret. */
  public Optional<String> credentialSource() {
    return Optional.ofNullable(credentialSource);
  }

  /**
   * Whether the cost exceeded what was reserved for the exchange: the upstream reported more usage
   * than the hold allowed for. The cost is booked anyway, so a spend cap may be passed by this one
   * exchange; the account is refused from then on.
   */
  public boolean overshoot() {
    return overshoot;
  }

  /**
   * Whether {@link #costNanoUsd()} is an estimate rather than the upstream's reported usage: the
   * exchange ended (the client left, the upstream broke off) before the upstream reported it.
   */
  public boolean costEstimated() {
    return costEstimated;
  }

  /**
   * Whether this records a hold reclaimed after its instance stopped without settling it (see
   * {@link ReclaimedHold}): the exchange's own event was lost with the instance, its cost is the
   * hold's estimate, and its status is 502.
   */
  public boolean reclaimed() {
    return reclaimed;
  }

  /**
   * The id of the upstream pool member that answered (or was tried last), never its credential;
   * empty when the request was not served by a pool.
   */
  public Optional<String> member() {
    return Optional.ofNullable(member);
  }

  /**
   * How many upstream attempts the exchange made: 0 when it was refused before forwarding, more
   * than 1 when a pool failed over to another member. The exchange counts and is charged once.
   */
  public int tries() {
    return tries;
  }

  /**
   * The model name the client asked for when a pool alias replaced it ({@link #model()} is then the
   * real model the upstream was asked for and the cost was priced at).
   */
  public Optional<String> modelAlias() {
    return Optional.ofNullable(modelAlias);
  }

  @Override
  public String toString() {
    return "ProxyEvent["
        + method
        + " "
        + provider
        + path
        + " -> "
        + status
        + " "
        + outcome.wireName()
        + ", principal="
        + principalId
        + ", model="
        + model
        + (member == null ? "" : ", member=" + member + ", tries=" + tries)
        + ", latency="
        + latency.toMillis()
        + "ms]";
  }

  /** Builds a {@link ProxyEvent}. Not thread-safe. */
  public static final class Builder {
    private Instant timestamp;
    private String principalId;
    private String tokenId;
    private String team;
    private String responseModel;
    private String finishReason;
    private String provider;
    private String method;
    private String path;
    private String model;
    private int status;
    private Outcome outcome;
    private Duration latency = Duration.ZERO;
    private Duration timeToFirstByte;
    private Duration overhead = Duration.ZERO;
    private Usage usage = Usage.NONE;
    private long costNanoUsd;
    private String credentialSource;
    private boolean overshoot;
    private boolean costEstimated;
    private boolean reclaimed;
    private String member;
    private int tries;
    private String modelAlias;

    private Builder() {}

    public Builder timestamp(Instant timestamp) {
      this.timestamp = timestamp;
      return this;
    }

    public Builder principal(Principal principal) {
      this.principalId = principal.id();
      this.tokenId = principal.tokenId().orElse(null);
      List<TeamBudget> teams = principal.limits().teams();
      this.team = teams.isEmpty() ? null : teams.get(0).team();
      return this;
    }

    public Builder responseModel(String responseModel) {
      this.responseModel = responseModel;
      return this;
    }

    public Builder finishReason(String finishReason) {
      this.finishReason = finishReason;
      return this;
    }

    /** The principal's team, when only its ids are known. */
    public Builder team(String team) {
      this.team = team;
      return this;
    }

    /** The principal by its ids alone, as a {@link ReclaimedHold} knows it. */
    public Builder principal(String principalId, String tokenId) {
      this.principalId = principalId;
      this.tokenId = tokenId;
      return this;
    }

    public Builder provider(String provider) {
      this.provider = provider;
      return this;
    }

    public Builder method(String method) {
      this.method = method;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder status(int status) {
      this.status = status;
      return this;
    }

    public Builder outcome(Outcome outcome) {
      this.outcome = outcome;
      return this;
    }

    public Builder latency(Duration latency) {
      this.latency = latency;
      return this;
    }

    public Builder timeToFirstByte(Duration timeToFirstByte) {
      this.timeToFirstByte = timeToFirstByte;
      return this;
    }

    public Builder overhead(Duration overhead) {
      this.overhead = overhead;
      return this;
    }

    public Builder usage(Usage usage) {
      this.usage = usage;
      return this;
    }

    public Builder costNanoUsd(long costNanoUsd) {
      this.costNanoUsd = costNanoUsd;
      return this;
    }

    public Builder credentialSource(String credentialSource) {
      this.credentialSource = credentialSource;
      return this;
    }

    public Builder overshoot(boolean overshoot) {
      this.overshoot = overshoot;
      return this;
    }

    public Builder costEstimated(boolean costEstimated) {
      this.costEstimated = costEstimated;
      return this;
    }

    public Builder reclaimed(boolean reclaimed) {
      this.reclaimed = reclaimed;
      return this;
    }

    /** The pool member that answered; see {@link ProxyEvent#member()}. */
    public Builder member(String member) {
      this.member = member;
      return this;
    }

    /** The number of upstream attempts; see {@link ProxyEvent#tries()}. */
    public Builder tries(int tries) {
      this.tries = tries;
      return this;
    }

    /** The alias the client named; see {@link ProxyEvent#modelAlias()}. */
    public Builder modelAlias(String modelAlias) {
      this.modelAlias = modelAlias;
      return this;
    }

    public ProxyEvent build() {
      return new ProxyEvent(this);
    }
  }
}
