package dev.llmproxy.servlet;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.PresentedCredential;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Authenticates the caller of a {@code /api/v1/me/*} servlet by its proxy token. */
final class Callers {
  private static final Logger log = LoggerFactory.getLogger(Callers.class);

  private Callers() {}

  /**
   * The caller's principal, or empty after answering 401 (no, conflicting, unknown or expired
   * token), 403 (revoked) or 503 (the resolver failed).
   */
  static Optional<Principal> authenticate(
      TokenResolver tokens, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Optional<PresentedCredential> credential;
    try {
      credential = PresentedCredential.from(headers(request));
    } catch (IllegalArgumentException e) {
      JsonResponses.error(response, 401, "authentication_error", "Conflicting credentials.");
      return Optional.empty();
    }
    if (credential.isEmpty()) {
      JsonResponses.error(response, 401, "authentication_error", "Missing proxy token.");
      return Optional.empty();
    }
    TokenResolution resolution;
    try {
      resolution = tokens.resolve(credential.get());
    } catch (RuntimeException e) {
      log.warn("Token resolver failed: {}", e.getClass().getName()); // messages may quote input
      JsonResponses.error(response, 503, "api_error", "Cannot verify tokens right now.");
      return Optional.empty();
    }
    if (resolution instanceof TokenResolution.Authenticated authenticated) {
      return Optional.of(authenticated.principal());
    }
    TokenResolution.Reason reason = ((TokenResolution.Rejected) resolution).reason();
    if (reason == TokenResolution.Reason.REVOKED) {
      JsonResponses.error(response, 403, "permission_error", "This proxy token has been revoked.");
    } else {
      JsonResponses.error(response, 401, "authentication_error", "Invalid or expired proxy token.");
    }
    return Optional.empty();
  }

  private static Headers headers(HttpServletRequest request) {
    Headers.Builder builder = Headers.builder();
    for (String name : new String[] {"x-api-key", "authorization"}) {
      Enumeration<String> values = request.getHeaders(name);
      while (values != null && values.hasMoreElements()) {
        builder.add(name, values.nextElement());
      }
    }
    return builder.build();
  }
}
