package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Outcome;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * Issued tokens carry endpoint scopes, enforced before anything is read or forwarded: a token
 * without the scope an endpoint needs is refused 403 {@code permission_error} naming it.
 */
class ScopesTest {
  private static HttpResponse<String> messages(ProxyFixture fixture, String token)
      throws Exception {
    return fixture.send(
        HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
            .build());
  }

  private static HttpResponse<String> models(ProxyFixture fixture, String token) throws Exception {
    return fixture.send(
        HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/models"))
            .header("x-api-key", token)
            .build());
  }

  @Test
  void aTokenScopedToModelsListsModelsButCannotGenerate() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      JsonNode issued = fixture.issue("{\"user\":\"lister\",\"scopes\":[\"models\"]}");
      assertEquals("[\"models\"]", issued.get("scopes").toString());
      String token = issued.get("token").asText();

      HttpResponse<String> refused = messages(fixture, token);
      assertEquals(403, refused.statusCode(), refused.body());
      JsonNode error = ProxyFixture.json(refused.body()).get("error");
      assertEquals("permission_error", error.get("type").asText());
      assertTrue(error.get("message").asText().contains("'inference'"), refused.body());
      assertEquals(Outcome.FORBIDDEN, fixture.nextEvent().outcome());
      assertEquals(0, fixture.upstream.getRequestCount(), "nothing forwarded");

      fixture.upstream.enqueue(
          new MockResponse.Builder()
              .setHeader("content-type", "application/json")
              .body("{\"data\":[]}")
              .build());
      assertEquals(200, models(fixture, token).statusCode());
      assertEquals(1, fixture.upstream.getRequestCount());
    }
  }

  @Test
  void aScopelessTokenIsRefusedEverywhereAndTheDefaultMayCallEverything() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      String none = fixture.issue("{\"user\":\"nobody\",\"scopes\":[]}").get("token").asText();
      assertEquals(403, messages(fixture, none).statusCode());
      assertEquals(403, models(fixture, none).statusCode());
      assertEquals(0, fixture.upstream.getRequestCount());

      JsonNode all = fixture.issue("{\"user\":\"everyone\"}");
      assertEquals("[\"*\"]", all.get("scopes").toString(), "every endpoint by default");
      fixture.upstream.enqueue(
          new MockResponse.Builder()
              .setHeader("content-type", "application/json")
              .body(AnthropicFixtures.MESSAGE_JSON)
              .build());
      assertEquals(200, messages(fixture, all.get("token").asText()).statusCode());
    }
  }

  @Test
  void pathTricksCannotLeadAnInferenceTokenToAnotherEndpoint() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"))) {
      String token =
          fixture.issue("{\"user\":\"gen\",\"scopes\":[\"inference\"]}").get("token").asText();
      for (String path :
          new String[] {
            "/v1/messages//batches",
            "/v1/messages/%62atches",
            "/v1/messages/batches;x",
            "/v1/messages/",
            "/v1/files/count_tokens"
          }) {
        HttpResponse<String> refused =
            fixture.send(
                HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + path))
                    .header("x-api-key", token)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                    .build());
        assertTrue(
            refused.statusCode() == 403 || refused.statusCode() == 400,
            path + " -> " + refused.statusCode() + " " + refused.body());
      }
      assertEquals(0, fixture.upstream.getRequestCount(), "nothing forwarded");
    }
  }

  @Test
  void anUnknownScopeIsABadRequestNamingTheField() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      HttpResponse<String> refused =
          new ExampleClient(ProxyFixture.ADMIN_TOKEN)
              .tryIssue(fixture.server, "{\"user\":\"x\",\"scopes\":[\"root\"]}");
      assertEquals(400, refused.statusCode());
      assertTrue(refused.body().contains("scopes"), refused.body());
    }
  }
}
