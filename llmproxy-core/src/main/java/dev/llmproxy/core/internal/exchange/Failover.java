package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.pool.Member;
import dev.llmproxy.core.internal.pool.Pool;
import dev.llmproxy.core.pools.UpstreamPool;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
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

  Failover(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UpstreamResponse process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    Pool pool = x.pool;
    if (pool == null) {
      x.event.tries(1);
      return chain.proceed();
    }
    Instant deadline = clock.instant().plus(pool.config().deadline());
    String key = affinityKey(x, pool.config());
    Set<Member> tried = new HashSet<>();
    UpstreamResponse kept = null; // the last retried answer, read whole
    ProxyError lastError = null;
    int tries = 0;
    boolean anyCredential = false;
    while (tries < pool.config().maxTries() && (tries == 0 || clock.instant().isBefore(deadline))) {
      Optional<Member> next = pool.pick(key, tried);
      if (next.isEmpty()) {
        break;
      }
      Member member = next.get();
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
      member.acquire();
      UpstreamResponse response;
      try {
        response = chain.proceed();
      } catch (ProxyError e) {
        member.release();
        if (!isUnreachable(e)) {
          closeQuietly(kept);
          throw e; // the client left, or the request could not be built
        }
        pool.failed(member);
        lastError = e;
        if (x.attemptSent()) {
          break; // it may be running upstream: never sent twice
        }
        continue;
      }
      int status = response.status();
      if (!pool.retries(status)) {
        pool.answered(member);
        closeQuietly(kept);
        return new MemberResponse(response, member);
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
        return new MemberResponse(response, member);
      }
      UpstreamResponse read = readWhole(response);
      if (read instanceof Prefixed) { // too large to keep: answer with it
        closeQuietly(kept);
        return new MemberResponse(read, member);
      }
      member.release();
      closeQuietly(kept);
      kept = read;
      log.debug(
          "Pool {} member {} answered {}; trying the next",
          pool.config().provider(),
          member.id(),
          status);
    }
    if (kept != null) {
      return kept; // every later try failed to answer: the last answer, verbatim
    }
    if (lastError != null) {
      throw lastError;
    }
    if (!anyCredential) {
      throw ProxyError.forbidden(
          "No member of the shared "
              + pool.config().provider()
              + " pool has a usable credential. "
              + x.route.profile().missingCredentialHint());
    }
    throw ProxyError.upstreamUnreachable();
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

  /**
   * {@code response} read whole and closed (its connection goes back to the pool), as a response
   * that can still be relayed; a {@link Prefixed} response, still open, when its body is larger
   * than {@link #MAX_KEPT_BODY}.
   */
  private static UpstreamResponse readWhole(UpstreamResponse response) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    InputStream in = response.body();
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        body.write(buffer, 0, n);
        if (body.size() > MAX_KEPT_BODY) {
          return new Prefixed(response, body.toByteArray());
        }
      }
    } catch (IOException e) {
      // the error answer broke off: keep what arrived
    }
    response.close();
    return new Kept(response.status(), response.headers(), body.toByteArray());
  }

  private static void closeQuietly(UpstreamResponse response) {
    if (response != null) {
      response.close();
    }
  }

  /** A retried answer read whole; nothing to release. */
  private record Kept(int status, Headers headers, byte[] bytes) implements UpstreamResponse {
    @Override
    public InputStream body() {
      return new ByteArrayInputStream(bytes);
    }

    @Override
    public void close() {}
  }

  /** An answer too large to keep: what was read, then the rest of it. */
  private static final class Prefixed implements UpstreamResponse {
    private final UpstreamResponse response;
    private final InputStream body;

    Prefixed(UpstreamResponse response, byte[] prefix) {
      this.response = response;
      this.body = new SequenceInputStream(new ByteArrayInputStream(prefix), response.body());
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
      return body;
    }

    @Override
    public void close() {
      response.close();
    }
  }

  /** The answer a member gave; closing it ends the member's count of exchanges in flight. */
  private static final class MemberResponse implements UpstreamResponse {
    private final UpstreamResponse response;
    private final Member member;
    private final AtomicBoolean closed = new AtomicBoolean();

    MemberResponse(UpstreamResponse response, Member member) {
      this.response = response;
      this.member = member;
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
    public void close() {
      try {
        response.close();
      } finally {
        if (closed.compareAndSet(false, true)) {
          member.release();
        }
      }
    }
  }
}
