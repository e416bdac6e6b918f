package dev.llmproxy.spring;

/**
 * The application defines no {@link dev.llmproxy.api.TokenResolver} bean, which the proxy needs to
 * know its callers; {@link LlmProxyFailureAnalyzer} explains it at startup.
 */
public final class TokenResolverMissingException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  TokenResolverMissingException() {
    super("llmproxy needs a TokenResolver bean to resolve callers' proxy tokens");
  }
}
