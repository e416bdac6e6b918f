package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** OpenAI-compatible upstreams configured by LLMPROXY_UPSTREAMS, each under its own route. */
class CompatibleUpstreamsTest {
  private static final String HOSTED_KEY = "gsk_shared_hosted_key";

  @Test
  void eachUpstreamHasItsRouteAuthStyleAndMetering() throws Exception {
    try (ProxyFixture configured =
        new ProxyFixture(
            base ->
                Map.of(
                    "LLMPROXY_UPSTREAMS",
                    "[{\"name\":\"local\",\"base_url\":\""
                        + base
                        + "local\",\"auth_header\":null},"
                        + "{\"name\":\"hosted\",\"base_url\":\""
                        + base
                        + "hosted\","
                        + "\"auth_header\":\"api-key\",\"auth_prefix\":\"\",\"key_prefix\":\"gsk_\","
                        + "\"api_key_env\":\"HOSTED_KEY\"}]",
                    "HOSTED_KEY",
                    HOSTED_KEY))) {

      for (int i = 0; i < 3; i++) {
        configured.upstream.enqueue(
            new MockResponse.Builder()
                .setHeader("content-type", "application/json")
                .body(OpenAiFixtures.CHAT_JSON)
                .build());
      }

      HttpResponse<String> local = configured.send(chat(configured, "local"));
      assertEquals(200, local.statusCode(), local.body());
      RecordedRequest seen = configured.upstream.takeRequest(5, TimeUnit.SECONDS);
      assertEquals("/local/v1/chat/completions", seen.getTarget());
      assertNull(seen.getHeaders().get("authorization"), "a keyless upstream gets no key");
      ProxyEvent event = configured.nextEvent();
      assertEquals("local", event.provider().orElseThrow());
      assertEquals(9, event.usage().inputTokens());
      assertEquals("none", event.credentialSource().orElseThrow());

      assertEquals(200, configured.send(chat(configured, "hosted")).statusCode());
      RecordedRequest hosted = configured.upstream.takeRequest(5, TimeUnit.SECONDS);
      assertEquals("/hosted/v1/chat/completions", hosted.getTarget());
      assertEquals(HOSTED_KEY, hosted.getHeaders().get("api-key"));
      assertNull(hosted.getHeaders().get("authorization"));
      assertEquals(Outcome.OK, configured.nextEvent().outcome());

      // A user's own key for the hosted upstream follows its prefix rule.
      assertEquals(400, putKey(configured, "hosted", "sk-wrong").statusCode());
      assertEquals(200, putKey(configured, "hosted", "gsk_alices_own").statusCode());
      assertEquals(200, configured.send(chat(configured, "hosted")).statusCode());
      assertEquals(
          "gsk_alices_own",
          configured.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("api-key"));
      assertEquals(
          404, putKey(configured, "local", "anything").statusCode(), "local takes no keys");

      // Errors on a compatible route use the OpenAI envelope.
      HttpResponse<String> unauthenticated =
          configured.send(
              HttpRequest.newBuilder(
                      URI.create(configured.server.baseUrl() + "/proxy/local/v1/models"))
                  .build());
      TestProvider.OPENAI.assertEnvelope(unauthenticated, 401, TestProvider.Kind.AUTHENTICATION);
    }
  }

  @Test
  void invalidUpstreamConfigurationIsRefusedNamingTheProblem() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                UpstreamsConfig.parse("[{\"name\":\"x\",\"base_url\":\"ftp://nope\"}]", Map.of()));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> UpstreamsConfig.parse("{}", Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> UpstreamsConfig.parse("[{\"name\":\"openai\",\"base_url\":\"http://x\"}]", Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            UpstreamsConfig.parse(
                "[{\"name\":\"a\",\"base_url\":\"http://x\",\"typo\":1}]", Map.of()));
  }

  private static HttpRequest chat(ProxyFixture fixture, String route) {
    return HttpRequest.newBuilder(
            URI.create(fixture.server.baseUrl() + "/proxy/" + route + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + fixture.token)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(OpenAiFixtures.REQUEST_JSON))
        .build();
  }

  private static HttpResponse<String> putKey(ProxyFixture fixture, String provider, String key)
      throws Exception {
    return fixture.send(
        HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/api/v1/me/keys/" + provider))
            .header("x-api-key", fixture.token)
            .PUT(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}"))
            .build());
  }
}
