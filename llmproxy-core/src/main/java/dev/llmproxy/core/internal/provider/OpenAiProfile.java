package dev.llmproxy.core.internal.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmproxy.api.Headers;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.CompatibleUpstream;
import dev.llmproxy.core.internal.http.AcceptEncoding;
import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.http.HeaderPolicy;
import dev.llmproxy.core.internal.json.Json;
import dev.llmproxy.core.internal.metering.JsonUsageMeter;
import dev.llmproxy.core.internal.metering.Meters;
import dev.llmproxy.core.internal.metering.OpenAiSseMeter;
import dev.llmproxy.core.internal.metering.UsageMeter;
import java.io.IOException;

/**
 * OpenAI's API, and OpenAI-compatible upstreams under their own names: credentials go in {@code
 * Authorization: Bearer} (or a compatible upstream's own header), errors use OpenAI's envelope
 * {@code {"error":{"message","type","param","code"}}} with OpenAI's type/code conventions, and
 * usage comes from Chat Completions, Responses and Embeddings bodies and streams.
 */
public final class OpenAiProfile implements ProviderProfile {
  private static final HeaderPolicy HEADERS = HeaderPolicy.STANDARD;

  private final ProviderId id;
  private final String baseUrl;
  private final String authHeader; // null: the upstream takes no key
  private final String authPrefix;
  private final boolean injectStreamUsage;

  /**
   * OpenAI itself.
   *
   * @param injectStreamUsage whether streaming chat requests get {@code
   *     stream_options.include_usage=true}, so every stream reports its usage
   */
  public OpenAiProfile(String baseUrl, boolean injectStreamUsage) {
    this(ProviderId.OPENAI, baseUrl, "authorization", "Bearer ", injectStreamUsage);
  }

  /** A configured OpenAI-compatible upstream. */
  public OpenAiProfile(CompatibleUpstream upstream) {
    this(
        upstream.name(),
        upstream.baseUrl(),
        upstream.authHeader().orElse(null),
        upstream.authPrefix(),
        false);
  }

  /**
   * An OpenAI-compatible upstream.
   *
   * @param authHeader the header carrying the key, e.g. {@code authorization} or {@code api-key}
   * @param authPrefix what precedes the key in it, e.g. {@code "Bearer "} or {@code ""}
   */
  public OpenAiProfile(
      ProviderId id,
      String baseUrl,
      String authHeader,
      String authPrefix,
      boolean injectStreamUsage) {
    this.injectStreamUsage = injectStreamUsage;
    this.id = id;
    this.baseUrl = BaseUrls.normalize(baseUrl);
    this.authHeader = authHeader == null ? null : authHeader.toLowerCase(java.util.Locale.ROOT);
    this.authPrefix = authPrefix;
  }

  @Override
  public ProviderId id() {
    return id;
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
    if (authHeader == null) {
      return out.build();
    }
    String secret =
        credential instanceof UpstreamCredential.ApiKey key
            ? key.key().reveal()
            : ((UpstreamCredential.OAuthToken) credential).accessToken().reveal();
    out.set(authHeader, authPrefix + secret);
    return out.build();
  }

  /**
   * With usage injection on, a streaming Chat Completions request gets {@code
   * stream_options.include_usage=true} (other fields untouched) so its stream ends with a usage
   * chunk. That chunk has an empty {@code choices} list; the official SDKs handle it, a
   * hand-written client that indexes {@code choices[0]} of every chunk would not: hence off by
   * default.
   */
  @Override
  public byte[] prepareBody(String upstreamPath, RequestPeek peek, byte[] body) {
    if (!injectStreamUsage || !peek.stream() || !upstreamPath.endsWith("/chat/completions")) {
      return body;
    }
    try {
      ObjectNode root = (ObjectNode) MAPPER.readTree(body);
      JsonNode options = root.get("stream_options");
      ObjectNode streamOptions =
          options != null && options.isObject()
              ? (ObjectNode) options
              : root.putObject("stream_options");
      streamOptions.put("include_usage", true);
      return MAPPER.writeValueAsBytes(root);
    } catch (IOException | ClassCastException e) {
      return body; // not an object after all: forward untouched
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper(Json.FACTORY);

  @Override
  public void copyResponseHeaders(Headers upstream, Headers.Builder out) {
    HEADERS.copyResponseHeaders(upstream, out);
  }

  @Override
  public UsageMeter meter(Headers responseHeaders) {
    return Meters.forResponse(responseHeaders, OpenAiSseMeter::new, JsonUsageMeter::openAi);
  }

  @Override
  public boolean requiresCredential() {
    return authHeader != null;
  }

  @Override
  public int overloadedStatus() {
    return 503;
  }

  @Override
  public byte[] errorBody(ErrorType type, String message) {
    String[] typeAndCode =
        switch (type) {
          case INVALID_REQUEST -> new String[] {"invalid_request_error", null};
          case AUTHENTICATION -> new String[] {"invalid_request_error", "invalid_api_key"};
          case PERMISSION -> new String[] {"invalid_request_error", "insufficient_permissions"};
          case NOT_FOUND -> new String[] {"invalid_request_error", "unknown_url"};
          case REQUEST_TOO_LARGE -> new String[] {"invalid_request_error", "request_too_large"};
          case RATE_LIMIT -> new String[] {"requests", "rate_limit_exceeded"};
          case QUOTA -> new String[] {"insufficient_quota", "insufficient_quota"};
          case API_ERROR -> new String[] {"server_error", null};
          case OVERLOADED -> new String[] {"server_error", "overloaded"};
        };
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeObjectFieldStart("error");
          g.writeStringField("message", message);
          g.writeStringField("type", typeAndCode[0]);
          g.writeNullField("param");
          g.writeStringField("code", typeAndCode[1]);
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  @Override
  public String missingCredentialHint() {
    return "No "
        + id
        + " API key is configured for you. Save your key with"
        + " PUT /api/v1/me/keys/"
        + id
        + ", or ask an administrator to configure a shared key.";
  }
}
