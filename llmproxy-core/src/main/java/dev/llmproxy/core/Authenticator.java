package dev.llmproxy.core;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the proxy token in {@code x-api-key} or {@code Authorization: Bearer} and resolves it to a
 * principal: 401 when missing, unknown or expired, 403 when revoked, 503 when the resolver's store
 * is down (fail closed).
 */
final class Authenticator {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

  private final TokenResolver resolver;

  Authenticator(TokenResolver resolver) {
    this.resolver = resolver;
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
      log.error("Token resolver failed", e);
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
    String apiKey = headers.first("x-api-key").map(String::trim).orElse("");
    String bearer = headers.first("authorization").map(Authenticator::bearerToken).orElse("");
    if (!apiKey.isEmpty() && !bearer.isEmpty() && !apiKey.equals(bearer)) {
      throw ProxyError.unauthenticated(
          "Conflicting credentials: x-api-key and Authorization carry different tokens.");
    }
    if (!apiKey.isEmpty()) {
      return new PresentedCredential(Secret.of(apiKey), PresentedCredential.Location.X_API_KEY);
    }
    if (!bearer.isEmpty()) {
      return new PresentedCredential(Secret.of(bearer), PresentedCredential.Location.BEARER);
    }
    throw ProxyError.unauthenticated(
        "Missing proxy token: send it as x-api-key or Authorization: Bearer.");
  }

  private static String bearerToken(String authorization) {
    String value = authorization.trim();
    return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : "";
  }
}
