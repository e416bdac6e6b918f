package dev.llmproxy.core.internal.provider;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.internal.http.AcceptEncoding;
import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.http.HeaderPolicy;
import dev.llmproxy.core.internal.json.Json;
import dev.llmproxy.core.internal.metering.AnthropicSseMeter;
import dev.llmproxy.core.internal.metering.JsonUsageMeter;
import dev.llmproxy.core.internal.metering.Meters;
import dev.llmproxy.core.internal.metering.UsageMeter;

/**
 * Anthropic's Messages API: API keys go in {@code x-api-key}; Claude subscription OAuth tokens go
 * in {@code Authorization: Bearer} with the OAuth beta merged into the client's {@code
 * anthropic-beta} and a default {@code anthropic-version}.
 */
public final class AnthropicProfile implements ProviderProfile {
  static final String OAUTH_BETA = "oauth-2025-04-20";
  static final String DEFAULT_VERSION = "2023-06-01";

  private static final HeaderPolicy HEADERS = HeaderPolicy.STANDARD;

  private final String baseUrl;

  public AnthropicProfile(String baseUrl) {
    this.baseUrl = BaseUrls.normalize(baseUrl);
  }

  @Override
  public ProviderId id() {
    return ProviderId.ANTHROPIC;
  }

  @Override
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public Headers upstreamHeaders(Headers client, UpstreamCredential credential) {
    Headers.Builder out = Headers.builder();
    HEADERS.copyRequestHeaders(client, out);
    AcceptEncoding.narrow(out);
    if (credential instanceof UpstreamCredential.ApiKey key) {
      out.set("x-api-key", key.key().reveal());
    } else if (credential instanceof UpstreamCredential.OAuthToken oauth) {
      out.set("authorization", "Bearer " + oauth.accessToken().reveal());
      out.set("anthropic-beta", mergeBeta(String.join(",", out.values("anthropic-beta"))));
      if (out.first("anthropic-version").isEmpty()) {
        out.add("anthropic-version", DEFAULT_VERSION);
      }
    }
    return out.build();
  }

  /** The client's betas plus the OAuth beta, each once, client's first. */
  static String mergeBeta(String clientBetas) {
    StringBuilder merged = new StringBuilder();
    boolean hasOauth = false;
    for (String beta : clientBetas.split(",")) {
      String b = beta.trim();
      if (b.isEmpty()) {
        continue;
      }
      hasOauth |= b.equals(OAUTH_BETA);
      merged.append(merged.length() == 0 ? "" : ",").append(b);
    }
    if (!hasOauth) {
      merged.append(merged.length() == 0 ? "" : ",").append(OAUTH_BETA);
    }
    return merged.toString();
  }

  @Override
  public void copyResponseHeaders(Headers upstream, Headers.Builder out) {
    HEADERS.copyResponseHeaders(upstream, out);
  }

  @Override
  public UsageMeter meter(Headers responseHeaders) {
    return Meters.forResponse(responseHeaders, AnthropicSseMeter::new, JsonUsageMeter::anthropic);
  }

  @Override
  public byte[] errorBody(ErrorType type, String message) {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("type", "error");
          g.writeObjectFieldStart("error");
          g.writeStringField("type", type.anthropicName());
          g.writeStringField("message", message);
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  @Override
  public String missingCredentialHint() {
    return "No Anthropic API key is configured for you. Save your key with"
        + " PUT /api/v1/me/keys/anthropic, or ask an administrator to configure a shared key.";
  }
}
