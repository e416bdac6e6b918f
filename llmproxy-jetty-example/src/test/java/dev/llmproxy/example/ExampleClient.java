package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** What tests do to a running example server over HTTP: issue, look up, send a message. */
final class ExampleClient {
  private final HttpClient http = HttpClient.newHttpClient();
  private final String adminToken;

  ExampleClient(String adminToken) {
    this.adminToken = adminToken;
  }

  /** {@code POST /admin/tokens} with {@code body}; the 201 record with its token. */
  JsonNode issue(ExampleServer server, String body) throws Exception {
    HttpResponse<String> response = tryIssue(server, body);
    assertEquals(201, response.statusCode(), response.body());
    return ProxyFixture.json(response.body());
  }

  /** {@code POST /admin/tokens} with {@code body}, whatever it answers. */
  HttpResponse<String> tryIssue(ExampleServer server, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/admin/tokens"))
            .header("Authorization", "Bearer " + adminToken)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Token {@code id} as {@code GET /admin/tokens} lists it. */
  JsonNode view(ExampleServer server, String id) throws Exception {
    HttpResponse<String> list =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer " + adminToken)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    for (JsonNode token : ProxyFixture.json(list.body()).get("tokens")) {
      if (token.get("id").asText().equals(id)) {
        return token;
      }
    }
    throw new AssertionError("no token " + id + " in " + list.body());
  }

  /** A Messages request with {@code token}. */
  static HttpRequest message(ExampleServer server, String token) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + "/proxy/anthropic/v1/messages"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
        .build();
  }

  /** Sends a Messages request; its status. */
  int send(ExampleServer server, String token) throws Exception {
    return http.send(message(server, token), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  HttpClient http() {
    return http;
  }
}
