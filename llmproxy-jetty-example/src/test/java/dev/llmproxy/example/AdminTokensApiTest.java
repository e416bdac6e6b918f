package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /admin/tokens} as docs/identity.md and README.md describe it. */
class AdminTokensApiTest {
  private ProxyFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new ProxyFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private HttpResponse<String> admin(String method, String path, String body, String bearer)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return fixture.send(request.header("content-type", "application/json").build());
  }

  private HttpResponse<String> post(String body) throws Exception {
    return admin("POST", "/admin/tokens", body, ProxyFixture.ADMIN_TOKEN);
  }

  @Test
  void issueWithEveryFieldReturnsTheTokenOnceAndTheRecord() throws Exception {
    HttpResponse<String> created =
        post(
            "{\"user\":\"bob\",\"tier\":\"pro\",\"max_requests\":100,\"max_spend_usd\":5.0,"
                + "\"expires_at\":\"2099-12-31T00:00:00Z\",\"models\":[\"claude-*\"],"
                + "\"providers\":[\"anthropic\"]}");
    assertEquals(201, created.statusCode(), created.body());
    JsonNode token = ProxyFixture.json(created.body());
    String value = token.get("token").asText();
    assertTrue(value.startsWith("lp_sk_"));
    assertTrue(token.get("id").asText().startsWith("tok_"));
    assertEquals("bob", token.get("user").asText());
    assertEquals("pro", token.get("tier").asText());
    assertEquals(100, token.get("max_requests").asLong());
    assertEquals(
        0, token.get("max_spend_usd").decimalValue().compareTo(new java.math.BigDecimal("5")));
    assertEquals("2099-12-31T00:00:00Z", token.get("expires_at").asText());
    assertEquals("claude-*", token.get("models").get(0).asText());
    assertEquals("anthropic", token.get("providers").get(0).asText());
    assertFalse(token.get("revoked").asBoolean());
    assertTrue(token.hasNonNull("created_at"));

    HttpResponse<String> list = admin("GET", "/admin/tokens", null, ProxyFixture.ADMIN_TOKEN);
    assertEquals(200, list.statusCode());
    assertFalse(list.body().contains(value), "the token appears only in the POST response");
    assertFalse(list.body().contains("sha256"), list.body());
    JsonNode tokens = ProxyFixture.json(list.body()).get("tokens");
    assertEquals(2, tokens.size()); // the fixture's alice and bob
    JsonNode listed = tokens.get(1);
    for (String field :
        new String[] {
          "id",
          "user",
          "tier",
          "max_requests",
          "used_requests",
          "max_spend_usd",
          "spent_usd",
          "expires_at",
          "revoked",
          "created_at"
        }) {
      assertTrue(listed.has(field), field);
    }
  }

  @Test
  void tierDefaultsToLlmproxyDefaultTier() throws Exception {
    JsonNode token = ProxyFixture.json(post("{\"user\":\"carol\"}").body());
    assertEquals("free", token.get("tier").asText());
    assertTrue(token.get("max_requests").isNull());
  }

  @Test
  void revokeIs204ThenTheTokenIs403AndUnknownIdIs404() throws Exception {
    String id = ProxyFixture.json(post("{\"user\":\"dave\"}").body()).get("id").asText();
    assertEquals(
        204, admin("DELETE", "/admin/tokens/" + id, null, ProxyFixture.ADMIN_TOKEN).statusCode());
    JsonNode listed =
        ProxyFixture.json(admin("GET", "/admin/tokens", null, ProxyFixture.ADMIN_TOKEN).body());
    boolean revoked = false;
    for (JsonNode token : listed.get("tokens")) {
      if (token.get("id").asText().equals(id)) {
        revoked = token.get("revoked").asBoolean();
      }
    }
    assertTrue(revoked);
    HttpResponse<String> unknown =
        admin("DELETE", "/admin/tokens/tok_nope", null, ProxyFixture.ADMIN_TOKEN);
    assertEquals(404, unknown.statusCode());
  }

  @Test
  void wrongOrMissingAdminTokenIs401() throws Exception {
    assertEquals(401, admin("GET", "/admin/tokens", null, null).statusCode());
    assertEquals(401, admin("GET", "/admin/tokens", null, "wrong").statusCode());
    assertEquals(
        401, admin("POST", "/admin/tokens", "{\"user\":\"x\"}", fixture.token).statusCode());
    assertEquals(401, admin("DELETE", "/admin/tokens/x", null, "wrong").statusCode());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{not json                                  | JSON",
        "[1,2]                                      | object",
        "{}                                         | user",
        "{\"user\":\"\"}                            | user",
        "{\"user\":42}                              | user",
        "{\"user\":\"x\",\"tier\":\"platinum\"}     | tier",
        "{\"user\":\"x\",\"max_requests\":-1}       | max_requests",
        "{\"user\":\"x\",\"max_requests\":1.5}      | max_requests",
        "{\"user\":\"x\",\"max_spend_usd\":\"5\"}   | max_spend_usd",
        "{\"user\":\"x\",\"max_spend_usd\":-0.01}   | max_spend_usd",
        "{\"user\":\"x\",\"expires_at\":\"soon\"}   | expires_at",
        "{\"user\":\"x\",\"expires_at\":\"2001-01-01T00:00:00Z\"} | expires_at",
        "{\"user\":\"x\",\"models\":\"claude-*\"}   | models",
        "{\"user\":\"x\",\"providers\":[\"gemini\"]} | providers",
        "{\"user\":\"x\",\"max_request\":5}         | max_request"
      })
  void invalidBodiesAre400NamingTheField(String body, String named) throws Exception {
    HttpResponse<String> response = post(body.trim());
    assertEquals(400, response.statusCode(), response.body());
    JsonNode error = ProxyFixture.json(response.body()).get("error");
    assertEquals("invalid_request_error", error.get("type").asText());
    assertTrue(error.get("message").asText().contains(named.trim()), error.toString());
  }

  @Test
  void aServiceTokenCanBeIssued() throws Exception {
    JsonNode token = ProxyFixture.json(post("{\"user\":\"ci-bot\",\"kind\":\"service\"}").body());
    assertEquals("service", token.get("kind").asText());
  }
}
