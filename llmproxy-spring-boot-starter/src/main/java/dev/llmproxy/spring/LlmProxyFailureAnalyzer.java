package dev.llmproxy.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a missing {@link dev.llmproxy.api.TokenResolver} into a startup report that says what to
 * do.
 */
public final class LlmProxyFailureAnalyzer
    extends AbstractFailureAnalyzer<TokenResolverMissingException> {

  /** Registered in {@code META-INF/spring.factories}. */
  public LlmProxyFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, TokenResolverMissingException cause) {
    return new FailureAnalysis(
        "llmproxy cannot start: no bean of type dev.llmproxy.api.TokenResolver is defined, so the"
            + " proxy has no way to tell which of your users a proxy token belongs to.",
        "Define a @Bean of type dev.llmproxy.api.TokenResolver that looks the presented token up"
            + " among your users, e.g. credential -> users.findByToken(credential.token().reveal())"
            + ".map(u -> TokenResolution.authenticated(Principal.user(u.id(), u.plan())))"
            + ".orElse(TokenResolution.rejected(TokenResolution.Reason.UNKNOWN)); or set"
            + " llmproxy.enabled=false, or define your own LlmProxy bean.",
        cause);
  }
}
