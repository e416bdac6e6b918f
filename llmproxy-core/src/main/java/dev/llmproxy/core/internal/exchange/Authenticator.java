package dev.llmproxy.core.internal.exchange;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.internal.http.ProxyError;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the proxy token in {@code x-api-key} or {@code Authorization: Bearer} and resolves it to a
 * principal: 401 when missing, unknown or expired, 403 when revoked, 503 when the resolver's store
 * is down (fail closed).
 */
final class Authenticator implements Stage {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

  private final TokenResolver resolver;

  Authenticator(TokenResolver resolver) {
    this.resolver = resolver;
  }

  @Override
  public String name() {
    return "authenticate";
  }

  @Override
  public CompletableFuture<UpstreamResponse> process(Chain chain) throws ProxyError {
    ExchangeState x = chain.state();
    x.principal = authenticate(x.io.requestHeaders());
    x.event.principal(x.principal);
    return chain.proceed();
  }

  Principal authenticate(Headers headers) throws ProxyError {
    PresentedCredential credential = presented(headers);
    TokenResolution resolution;
    try {
      resolution = resolver.resolve(credential);
    } catch (StoreUnavailableException e) {
      log.warn("Token store unavailable: {}", e.getMessage());
      throw ProxyError.unavailable("The proxy cannot verify tokens right now. Try again later.");
    } catch (RuntimeException e) {
      // Only the type: a host resolver's message may quote what it was given.
      log.error("Token resolver {} failed: {}", resolver.getClass().getName(), e.getClass());
      throw ProxyError.unavailable("The proxy cannot verify tokens right now. Try again later.");
    }
    if (resolution instanceof TokenResolution.Authenticated authenticated) {
      return authenticated.principal();
    }
    throw switch (((TokenResolution.Rejected) resolution).reason()) {
      case UNKNOWN -> ProxyError.unauthenticated("Invalid proxy token.");
      case EXPIRED -> ProxyError.unauthenticated("This proxy token has expired.");
      case REVOKED -> ProxyError.forbidden("This proxy token has been revoked.");
    };
  }

  /** The presented token; two different tokens in the two headers are refused, not guessed. */
  static PresentedCredential presented(Headers headers) throws ProxyError {
    try {
      return PresentedCredential.from(headers)
          .orElseThrow(
              () ->
                  ProxyError.unauthenticated(
                      "Missing proxy token: send it as x-api-key or Authorization: Bearer."));
    } catch (IllegalArgumentException e) {
      throw ProxyError.unauthenticated(
          "Conflicting credentials: x-api-key and Authorization carry different tokens.");
    }
  }
}
