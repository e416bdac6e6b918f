package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.AccountCap;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Purpose;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.RateLimitState;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.api.TeamBudget;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.api.Usage;
import dev.llmproxy.core.PriceTable;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.metering.Charges;
import dev.llmproxy.core.internal.metering.UsageMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reserve stage, and the only class that talks to the {@link BudgetLedger}: it holds the
 * exchange's worst case before anything is sent (429 when refused, 503 when the ledger fails:
 * closed), settles the hold when the exchange is over (the metered cost, or a refund if nothing
 * reached the upstream), and reads the caller's rate window for the response headers. It hands the
 * ledger the tier's rate and the engine's clock, so neither is configured twice.
 */
final class Budget implements Stage {
  private static final Logger log = LoggerFactory.getLogger(Budget.class);

  private final BudgetLedger ledger;
  private final Map<String, RateLimit> ratesByTier; // built once: no allocation per request
  private final Clock clock;
  private final PriceTable prices;
  private final long defaultMaxOutputTokens;
  private final ZoneId zone;
  private final Queue<Runnable> unsettled = new ConcurrentLinkedQueue<>();

  Budget(
      BudgetLedger ledger,
      Tiers tiers,
      Clock clock,
      ZoneId zone,
      PriceTable prices,
      long defaultMaxOutputTokens) {
    this.zone = zone;
    this.ledger = ledger;
    Map<String, RateLimit> rates = new HashMap<>();
    for (String name : tiers.names()) {
      tiers
          .tier(name)
          .ifPresent(
              t -> rates.put(name, new RateLimit(t.requestsPerMinute(), t.tokensPerMinute())));
    }
    this.ratesByTier = Map.copyOf(rates);
    this.clock = clock;
    this.prices = prices;
    this.defaultMaxOutputTokens = defaultMaxOutputTokens;
  }

  @Override
  public String name() {
    return "reserve";
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    reserve(chain.state());
    return chain.proceed();
  }

  private void reserve(ExchangeState x) throws ProxyError {
    x.price = prices.price(x.peek.model());
    long perChoice =
        x.peek.maxTokens() >= 0
            ? x.peek.maxTokens()
            : x.peek.model() != null ? defaultMaxOutputTokens : 0;
    long maxOutputTokens = perChoice * x.peek.choices(); // every choice is generated and billed
    // Every body byte bounds an input token (no tokenizer makes more tokens than bytes).
    Charge estimate =
        new Charge(
            1,
            x.price.worstCase(x.body.length, maxOutputTokens),
            saturatedAdd(x.body.length, maxOutputTokens));
    Decision decision;
    Instant now = clock.instant();
    try {
      decision =
          ledger.reserve(
              new ReservationRequest(
                  x.principal,
                  estimate,
                  rateLimitOf(x),
                  now,
                  new Purpose(
                      x.route.provider().isEmpty() ? null : x.route.provider(),
                      x.io.method(),
                      x.route.upstreamPath().isEmpty() ? "/" : x.route.upstreamPath(),
                      x.peek.model()),
                  AccountCap.of(x.principal, now, zone)));
    } catch (RuntimeException e) {
      log.warn("Budget ledger failed; failing closed: {}", e.toString());
      throw ProxyError.unavailable(
          "The proxy cannot check your budget right now. Try again later.");
    }
    x.rateLimit = decision.rateLimit();
    if (decision instanceof Decision.Denied denied) {
      throw ProxyError.denied(untilPeriodEnds(denied, x, now));
    }
    x.reservation = ((Decision.Granted) decision).reservation();
  }

  /** A budget denial of a cap that resets: waiting until the period ends helps, so say when. */
  private Decision.Denied untilPeriodEnds(Decision.Denied denied, ExchangeState x, Instant now) {
    if (denied.accountId() == null || !denied.retryAfter().isZero()) {
      return denied;
    }
    BudgetPeriod period = periodOf(x.principal.limits(), denied.accountId(), x.principal);
    if (period.isLifetime()) {
      return denied;
    }
    Duration wait = Duration.between(now, period.end(now, zone));
    return new Decision.Denied(denied.reason(), wait, denied.rateLimit(), denied.accountId());
  }

  private static BudgetPeriod periodOf(Limits limits, String accountId, Principal principal) {
    if (accountId.equals(principal.accountId())) {
      return limits.period();
    }
    for (TeamBudget team : limits.teams()) {
      if (team.accountId().equals(accountId)) {
        return team.period();
      }
    }
    return BudgetPeriod.LIFETIME;
  }

  /**
   * Settles the exchange's hold, if it has one and it is not settled yet: a refund when the request
   * never reached the upstream, else a commit at the metered cost (booked on the event). Never
   * throws.
   */
  void settle(ExchangeState x) {
    Reservation reservation = x.reservation;
    if (reservation == null || x.holdSettled) {
      return;
    }
    x.holdSettled = true;
    if (!x.requestSent()) {
      try {
        ledger.refund(reservation);
      } catch (RuntimeException e) {
        log.error(
            "Budget ledger failed to refund reservation {}: {}", reservation.id(), e.toString());
        unsettled.add(() -> ledger.refund(reservation));
      }
      return;
    }
    Charge actual;
    try {
      long cost = cost(x, reservation);
      Usage usage = x.meter.result().usage();
      actual = new Charge(1, cost, saturatedAdd(usage.inputTokens(), usage.outputTokens()));
    } catch (RuntimeException e) {
      log.error("Could not price the exchange; booking its whole hold", e);
      actual = reservation.estimate(); // never leave a hold open
    }
    Charge booked = actual;
    try {
      ledger.commit(reservation, booked);
    } catch (RuntimeException e) {
      log.error(
          "Budget ledger failed to commit reservation {}: {}", reservation.id(), e.toString());
      unsettled.add(() -> ledger.commit(reservation, booked));
    }
  }

  /**
   * Retries, in order, the settlements the ledger failed, so a hold whose commit failed is booked
   * at its real cost once the ledger is back instead of staying held until its instance stops.
   * Stops at the first that fails again; it and the rest wait for the next call. From one thread.
   */
  void retryUnsettled() {
    for (int pending = unsettled.size(); pending > 0; pending--) {
      Runnable settlement = unsettled.peek();
      if (settlement == null) {
        return;
      }
      try {
        settlement.run();
      } catch (RuntimeException e) {
        log.warn("Budget ledger still failing; {} settlement(s) wait: {}", pending, e.toString());
        return;
      }
      unsettled.poll();
    }
  }

  private static long cost(ExchangeState x, Reservation reservation) {
    UsageMeter.Metered metered = x.meter.result();
    long cost = Charges.cost(x.responded, x.status, x.outcome, metered, x.price, x.body.length);
    x.event
        .usage(metered.usage())
        .responseModel(metered.responseModel())
        .finishReason(metered.finishReason())
        .costNanoUsd(cost)
        .costEstimated(Charges.isEstimate(x.responded, x.status, x.outcome, metered))
        .overshoot(cost > reservation.estimate().nanoUsd());
    return cost;
  }

  /**
   * The caller's rate window for the response headers: as the ledger decided it, else as it stands
   * (a refusal before the reservation), else none (not authenticated).
   */
  RateLimitState rateLimit(ExchangeState x) {
    if (x.rateLimit != null) {
      return x.rateLimit;
    }
    if (x.principal == null) {
      return RateLimitState.unlimited();
    }
    try {
      return ledger.rateLimit(x.principal, rateLimitOf(x), clock.instant());
    } catch (RuntimeException e) {
      return RateLimitState.unlimited();
    }
  }

  /**
   * The rates of the principal: its tier's request rate, and the smaller of its tier's and its own
   * token rate; none for a tier this proxy does not know.
   */
  private RateLimit rateLimitOf(ExchangeState x) {
    RateLimit tier = ratesByTier.getOrDefault(x.principal.tier(), RateLimit.NONE);
    OptionalLong own = x.principal.limits().maxTokensPerMinute();
    if (own.isEmpty() || own.getAsLong() <= 0) {
      return tier;
    }
    long tokens =
        tier.limitsTokens() ? Math.min(tier.tokensPerMinute(), own.getAsLong()) : own.getAsLong();
    return new RateLimit(tier.requestsPerMinute(), tokens);
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
