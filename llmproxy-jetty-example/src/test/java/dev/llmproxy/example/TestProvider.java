package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;

/**
 * What differs between providers in the shared test matrix: route, sample bodies, where the
 * upstream credential goes, a provider-specific request header, and the error envelope.
 */
enum TestProvider {
  ANTHROPIC(
      "anthropic",
      "/v1/messages",
      AnthropicFixtures.REQUEST_JSON,
      AnthropicFixtures.MESSAGE_JSON,
      AnthropicFixtures.STREAM_EVENTS,
      "x-api-key",
      ProxyFixture.UPSTREAM_KEY,
      "anthropic-beta",
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
  OPENAI(
      "openai",
      "/v1/chat/completions",
      OpenAiFixtures.REQUEST_JSON,
      OpenAiFixtures.CHAT_JSON,
      Arrays.stream(OpenAiFixtures.CHAT_STREAM.split("(?<=\n\n)")).toList(),
      "authorization",
      "Bearer " + ProxyFixture.OPENAI_KEY,
      "openai-beta",
      "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");

  final String route;
  final String path;
  final String requestJson;
  final String responseJson;
  final List<String> streamEvents;
  final String credentialHeader;
  final String credentialValue;
  final String betaHeader;
  final String streamRequest;

  TestProvider(
      String route,
      String path,
      String requestJson,
      String responseJson,
      List<String> streamEvents,
      String credentialHeader,
      String credentialValue,
      String betaHeader,
      String streamRequest) {
    this.route = route;
    this.path = path;
    this.requestJson = requestJson;
    this.responseJson = responseJson;
    this.streamEvents = streamEvents;
    this.credentialHeader = credentialHeader;
    this.credentialValue = credentialValue;
    this.betaHeader = betaHeader;
    this.streamRequest = streamRequest;
  }

  String base(ProxyFixture fixture) {
    return fixture.server.baseUrl() + "/proxy/" + route;
  }

  /** The kinds of proxy-originated error, and how each provider spells them. */
  enum Kind {
    AUTHENTICATION("authentication_error", "invalid_request_error", "invalid_api_key"),
    PERMISSION("permission_error", "invalid_request_error", "insufficient_permissions"),
    INVALID("invalid_request_error", "invalid_request_error", null),
    NOT_FOUND("not_found_error", "invalid_request_error", "unknown_url"),
    TOO_LARGE("request_too_large", "invalid_request_error", "request_too_large"),
    API("api_error", "server_error", null);

    final String anthropicType;
    final String openAiType;
    final String openAiCode;

    Kind(String anthropicType, String openAiType, String openAiCode) {
      this.anthropicType = anthropicType;
      this.openAiType = openAiType;
      this.openAiCode = openAiCode;
    }
  }

  /** Asserts status, JSON content type and this provider's envelope for {@code kind}. */
  void assertEnvelope(HttpResponse<String> response, int status, Kind kind) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
    assertEnvelope(response.body(), kind);
  }

  void assertEnvelope(String body, Kind kind) throws Exception {
    JsonNode json = ProxyFixture.json(body);
    if (this == ANTHROPIC) {
      assertEquals("error", json.get("type").asText(), body);
      assertEquals(kind.anthropicType, json.get("error").get("type").asText(), body);
      assertFalse(json.get("error").get("message").asText().isBlank());
    } else {
      JsonNode error = json.get("error");
      assertEquals(kind.openAiType, error.get("type").asText(), body);
      assertTrue(error.has("param") && error.get("param").isNull(), body);
      assertEquals(kind.openAiCode, error.get("code").isNull() ? null : error.get("code").asText());
      assertFalse(error.get("message").asText().isBlank());
    }
  }
}
