package dev.llmproxy.core.internal.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.internal.http.ErrorType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnthropicProfileTest {
  private final AnthropicProfile profile = new AnthropicProfile("https://api.anthropic.com");
  private final UpstreamCredential apiKey =
      new UpstreamCredential.ApiKey(Secret.of("sk-ant-key"), "shared_key");
  private final UpstreamCredential oauth =
      new UpstreamCredential.OAuthToken(
          Secret.of("oauth-access"), Optional.of(Instant.parse("2030-01-01T00:00:00Z")), "claude");

  private static final Headers CLIENT =
      Headers.of(
          "Host", "proxy.example",
          "x-api-key", "lp_sk_caller",
          "Authorization", "Bearer lp_sk_caller",
          "Cookie", "a=b",
          "X-Forwarded-For", "1.2.3.4",
          "Accept", "application/json",
          "anthropic-version", "2023-06-01",
          "anthropic-beta", "a-1,b-2",
          "Content-Type", "application/json",
          "User-Agent", "claude-cli/1.0",
          "Transfer-Encoding", "chunked",
          "x-stainless-os", "Linux");

  @Test
  void apiKeyReplacesTheCallersCredentialAndOnlyAllowedHeadersPass() {
    Headers upstream = profile.upstreamHeaders(CLIENT, apiKey);
    assertEquals(List.of("sk-ant-key"), upstream.values("x-api-key"));
    assertTrue(upstream.values("authorization").isEmpty());
    for (String dropped :
        List.of("host", "cookie", "x-forwarded-for", "transfer-encoding", "x-stainless-os")) {
      assertTrue(upstream.values(dropped).isEmpty(), dropped);
    }
    assertEquals("a-1,b-2", upstream.first("anthropic-beta").orElseThrow());
    assertEquals("claude-cli/1.0", upstream.first("user-agent").orElseThrow());
  }

  @Test
  void oauthSendsBearerMergesBetaAndKeepsTheClientsVersion() {
    Headers upstream = profile.upstreamHeaders(CLIENT, oauth);
    assertEquals(List.of("Bearer oauth-access"), upstream.values("authorization"));
    assertTrue(upstream.values("x-api-key").isEmpty());
    assertEquals(List.of("a-1,b-2,oauth-2025-04-20"), upstream.values("anthropic-beta"));
    assertEquals(List.of("2023-06-01"), upstream.values("anthropic-version"));
  }

  @Test
  void oauthAddsDefaultVersionAndBetaWhenTheClientSentNone() {
    Headers upstream = profile.upstreamHeaders(Headers.of("accept", "*/*"), oauth);
    assertEquals(List.of("oauth-2025-04-20"), upstream.values("anthropic-beta"));
    assertEquals(List.of("2023-06-01"), upstream.values("anthropic-version"));
    assertEquals(List.of("identity"), upstream.values("accept-encoding"), "no gzip asked for");
  }

  @Test
  void oauthBetaIsNotDuplicated() {
    assertEquals("x,oauth-2025-04-20", AnthropicProfile.mergeBeta(" x , oauth-2025-04-20,"));
  }

  @Test
  void responseHeadersAreFiltered() {
    Headers.Builder out = Headers.builder();
    profile.copyResponseHeaders(
        Headers.of(
            "Content-Type", "application/json",
            "Set-Cookie", "s=1",
            "Connection", "keep-alive, x-ratelimit-secret",
            "x-ratelimit-secret", "1",
            "anthropic-ratelimit-tokens-remaining", "10",
            "request-id", "req_1",
            "Server", "cloudflare",
            "Transfer-Encoding", "chunked"),
        out);
    Headers passed = out.build();
    assertEquals("application/json", passed.first("content-type").orElseThrow());
    assertEquals("10", passed.first("anthropic-ratelimit-tokens-remaining").orElseThrow());
    assertEquals("req_1", passed.first("request-id").orElseThrow());
    for (String dropped :
        List.of("set-cookie", "connection", "x-ratelimit-secret", "server", "transfer-encoding")) {
      assertFalse(passed.first(dropped).isPresent(), dropped);
    }
  }

  @Test
  void bothProvidersFollowTheContractsSingleHeaderLists() {
    Headers client =
        Headers.of(
            "openai-organization", "org-1", "anthropic-beta", "b-1", "x-stainless-os", "Linux");
    OpenAiProfile openai = new OpenAiProfile("https://api.openai.com", false);
    for (ProviderProfile p : List.<ProviderProfile>of(profile, openai)) {
      Headers upstream = p.upstreamHeaders(client, apiKey);
      assertEquals("org-1", upstream.first("openai-organization").orElseThrow(), p.id().value());
      assertEquals("b-1", upstream.first("anthropic-beta").orElseThrow(), p.id().value());
      assertFalse(upstream.first("x-stainless-os").isPresent());
      Headers.Builder out = Headers.builder();
      p.copyResponseHeaders(
          Headers.of(
              "openai-processing-ms",
              "12",
              "anthropic-organization-id",
              "o",
              "x-ratelimit-limit-requests",
              "9"),
          out);
      assertEquals(3, out.build().size(), p.id().value());
    }
  }

  @Test
  void errorEnvelopeEscapesTheMessage() {
    String body =
        new String(
            profile.errorBody(ErrorType.RATE_LIMIT, "quote \" and \n newline"),
            StandardCharsets.UTF_8);
    assertEquals(
        "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
            + "\"message\":\"quote \\\" and \\n newline\"}}",
        body);
  }
}
