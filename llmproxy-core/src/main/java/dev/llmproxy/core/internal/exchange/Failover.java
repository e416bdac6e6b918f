package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.NonBlockingBody;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.pool.Member;
import dev.llmproxy.core.internal.pool.Pool;
import dev.llmproxy.core.pools.UpstreamPool;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover stage, just before forward: a request served by a {@linkplain ExchangeState#pool
 * pool} tries one member after another (each with its own credential and base URL) while a try
 * fails before any byte reached the client — the member could not be reached (the request was never
 * sent), or it answered a retried status — at most {@code max_tries} times, no try starting after
 * the deadline. A retried answer is read (bounded) and closed, kept only to be returned verbatim if
 * no later member answers. A request with the caller's own credential is tried once.
 *
 * <p>Nothing here touches the budget: the hold was taken once before, and the exchange is settled
 * once after, on the answer that was relayed.
 */
final class Failover implements Stage {
  private static final Logger log = LoggerFactory.getLogger(Failover.class);

  @Override
  public String name() {
    return "failover";
  }

  /** A retried answer's body is kept up to this size; a larger one ends the failover. */
  static final int MAX_KEPT_BODY = 256 * 1024;

  private final Clock clock;
  private final boolean async;
  private final java.util.concurrent.Executor blockingReads;

  /**
   * Tries in {@code clock}'s time; {@code async} as the {@link Forwarder}'s, reading a retried
   * answer that offers no non-blocking body on {@code blockingReads}, never on the upstream
   * client's thread.
   */
  Failover(Clock clock, boolean async, java.util.concurrent.Executor blockingReads) {
    this.clock = clock;
    this.async = async;
    this.blockingReads = blockingReads;
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    if (x.pool == null) {
      x.event.tries(1);
      return chain.proceed();
    }
    return new Tries(chain).next();
  }

  /**
   * One exchange's tries over its pool, one after another: each starts when the last one's answer
   * (or failure) arrived, on whichever thread brought it.
   */
  private final class Tries {
    private final Chain chain;
    private final ExchangeState x;
    private final Pool pool;
    private final Instant deadline;
    private final String key;
    private final Set<Member> tried = new HashSet<>();
    private UpstreamResponse kept; // the last retried answer, read whole
    private ProxyError lastError;
    private int tries;
    private boolean anyCredential;

    Tries(Chain chain) {
      this.chain = chain;
      this.x = chain.state();
      this.pool = x.pool;
      this.deadline = clock.instant().plus(pool.config().deadline());
      this.key = affinityKey(x, pool.config());
    }

    /** Starts the next try, or ends with the best answer there is. */
    CompletableFuture<UpstreamResponse> next() {
      while (tries < pool.config().maxTries()
          && (tries == 0 || clock.instant().isBefore(deadline))) {
        Optional<Member> picked = pool.pick(key, tried);
        if (picked.isEmpty()) {
          break;
        }
        Member member = picked.get();
        tried.add(member);
        UpstreamCredential credential = credentialOf(x, member);
        if (credential == null) {
          continue; // not a try: nothing was sent
        }
        anyCredential = true;
        tries++;
        x.credential = credential;
        x.baseUrl = member.config().baseUrl().orElse(null);
        x.event.tries(tries).member(member.id()).credentialSource(credential.source());
        Attempt attempt = new Attempt(member);
        CompletableFuture<UpstreamResponse> answer;
        try {
          answer = chain.proceed();
        } catch (
            Throwable e) { // a refusal, or a failure of its own: answered() releases either way
          answer = CompletableFuture.failedFuture(e);
        }
        return answer
            .handle(
                (response, failure) ->
                    guarded(attempt, response, () -> answered(attempt, response, failure)))
            .thenCompose(Function.identity());
      }
      return end();
    }

    /**
     * Runs {@code step}; if it throws, releases the attempt and closes its response, and fails the
     * exchange with what was thrown: no member stays counted in flight, no connection stays open.
     */
    private CompletableFuture<UpstreamResponse> guarded(
        Attempt attempt,
        UpstreamResponse response,
        java.util.function.Supplier<CompletableFuture<UpstreamResponse>> step) {
      try {
        return step.get();
      } catch (Throwable e) {
        attempt.release();
        closeQuietly(response);
        closeQuietly(kept);
        return CompletableFuture.failedFuture(e);
      }
    }

    private CompletableFuture<UpstreamResponse> answered(
        Attempt attempt, UpstreamResponse response, Throwable failure) {
      Member member = attempt.member;
      if (failure != null) {
        attempt.release();
        Throwable cause = Stage.cause(failure);
        if (!(cause instanceof ProxyError e) || !isUnreachable(e)) {
          closeQuietly(kept);
          return CompletableFuture.failedFuture(cause); // the client left, or no request was built
        }
        pool.failed(member);
        lastError = e;
        if (x.attemptSent()) {
          return end(); // it may be running upstream: never sent twice
        }
        return next();
      }
      int status = response.status();
      if (!pool.retries(status)) {
        pool.answered(member);
        closeQuietly(kept);
        return CompletableFuture.completedFuture(new MemberResponse(response, attempt));
      }
      if (status == 429 || status == 529) {
        pool.rateLimited(member, response.headers());
      } else {
        pool.failed(member);
      }
      boolean last =
          tries >= pool.config().maxTries()
              || !clock.instant().isBefore(deadline)
              || tried.size() >= pool.members().size();
      if (last) {
        closeQuietly(kept);
        return CompletableFuture.completedFuture(new MemberResponse(response, attempt));
      }
      return WholeBody.read(response, MAX_KEPT_BODY, async, blockingReads)
          .handle(
              (read, error) ->
                  guarded(
                      attempt,
                      response,
                      () -> {
                        if (error != null) {
                          throw new CompletionException(Stage.cause(error));
                        }
                        if (read.isPartial()) { // too large to keep: answer with it
                          closeQuietly(kept);
                          return CompletableFuture.completedFuture(
                              new MemberResponse(read, attempt));
                        }
                        attempt.release();
                        closeQuietly(kept);
                        kept = read;
                        log.debug(
                            "Pool {} member {} answered {}; trying the next",
                            pool.config().provider(),
                            member.id(),
                            status);
                        return next();
                      }))
          .thenCompose(Function.identity());
    }

    private CompletableFuture<UpstreamResponse> end() {
      if (kept != null) {
        return CompletableFuture.completedFuture(kept); // later tries failed: the last answer
      }
      if (lastError != null) {
        return CompletableFuture.failedFuture(lastError);
      }
      if (!anyCredential) {
        return CompletableFuture.failedFuture(
            ProxyError.forbidden(
                "No member of the shared "
                    + pool.config().provider()
                    + " pool has a usable credential. "
                    + x.route.profile().missingCredentialHint()));
      }
      return CompletableFuture.failedFuture(ProxyError.upstreamUnreachable());
    }
  }

  private static String affinityKey(ExchangeState x, UpstreamPool pool) {
    return switch (pool.affinity()) {
      case NONE -> null;
      case PRINCIPAL -> x.principal.id();
      case HEADER ->
          x.io
              .requestHeaders()
              .first(pool.affinityHeader().orElseThrow())
              .map(value -> x.principal.id() + '\n' + value)
              .orElse(x.principal.id());
    };
  }

  /** The member's credential now, or {@code null} when it has none or it expired. */
  private UpstreamCredential credentialOf(ExchangeState x, Member member) {
    try {
      Optional<UpstreamCredential> found =
          member.config().credentials().find(x.principal, x.route.profile().id());
      if (found.isEmpty()
          || (found.get() instanceof UpstreamCredential.OAuthToken oauth
              && oauth.isExpiredAt(clock.instant()))) {
        log.warn("Pool member {} has no usable credential; skipped", member.id());
        return null;
      }
      return found.get();
    } catch (RuntimeException e) {
      log.warn(
          "Pool member {} credential failed; skipped: {}", member.id(), e.getClass().getName());
      return null;
    }
  }

  /** The proxy's 502 for an upstream that could not be reached. */
  private static boolean isUnreachable(ProxyError e) {
    return e.status() == 502 && e.type() == ErrorType.API_ERROR;
  }

  private static void closeQuietly(UpstreamResponse response) {
    if (response != null) {
      response.close();
    }
  }

  /** One try's hold on its member's count of exchanges in flight, released once. */
  private static final class Attempt {
    final Member member;
    private final AtomicBoolean released = new AtomicBoolean();

    Attempt(Member member) {
      this.member = member;
      member.acquire();
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        member.release();
      }
    }
  }

  /** The answer a member gave; closing it ends the member's count of exchanges in flight. */
  private static final class MemberResponse implements UpstreamResponse {
    private final UpstreamResponse response;
    private final Attempt attempt;

    MemberResponse(UpstreamResponse response, Attempt attempt) {
      this.response = response;
      this.attempt = attempt;
    }

    @Override
    public int status() {
      return response.status();
    }

    @Override
    public Headers headers() {
      return response.headers();
    }

    @Override
    public InputStream body() {
      return response.body();
    }

    @Override
    public Optional<NonBlockingBody> nonBlockingBody() {
      return response.nonBlockingBody();
    }

    @Override
    public void close() {
      try {
        response.close();
      } finally {
        attempt.release();
      }
    }
  }
}
