package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /api/v1/me/keys/{provider}} as docs/identity.md and README.md describe it. */
class MyKeysApiTest {
  private static final String KEY = "sk-ant-api03-alices-key-abcdef";
  private ProxyFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new ProxyFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private HttpResponse<String> keys(String method, String provider, String body, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/api/v1/me/keys/" + provider))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("content-type", "application/json");
    if (token != null) {
      request.header("x-api-key", token);
    }
    return fixture.send(request.build());
  }

  @Test
  void getPutGetDeleteLifecycle() throws Exception {
    JsonNode none = ProxyFixture.json(keys("GET", "anthropic", null, fixture.token).body());
    assertEquals("anthropic", none.get("provider").asText());
    assertFalse(none.get("configured").asBoolean());
    assertTrue(none.get("configured_at").isNull());

    HttpResponse<String> saved =
        keys("PUT", "anthropic", "{\"key\":\"" + KEY + "\"}", fixture.token);
    assertEquals(200, saved.statusCode(), saved.body());
    JsonNode status = ProxyFixture.json(saved.body());
    assertTrue(status.get("configured").asBoolean());
    Instant.parse(status.get("configured_at").asText());
    assertFalse(saved.body().contains(KEY));

    HttpResponse<String> read = keys("GET", "anthropic", null, fixture.token);
    assertEquals(status, ProxyFixture.json(read.body()));
    assertFalse(read.body().contains(KEY));

    fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
    fixture.send(
        fixture
            .anthropic("/v1/messages")
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
            .build());
    assertEquals(
        KEY, fixture.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("x-api-key"));
    assertEquals("user_key", fixture.nextEvent().credentialSource().orElseThrow());

    assertEquals(204, keys("DELETE", "anthropic", null, fixture.token).statusCode());
    assertEquals(204, keys("DELETE", "anthropic", null, fixture.token).statusCode(), "idempotent");
    assertFalse(
        ProxyFixture.json(keys("GET", "anthropic", null, fixture.token).body())
            .get("configured")
            .asBoolean());
  }

  @Test
  void keysAreCiphertextInTheDataDirectory() throws Exception {
    keys("PUT", "anthropic", "{\"key\":\"" + KEY + "\"}", fixture.token);
    try (var files = Files.walk(fixture.dataDir())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String content = Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(content.contains(KEY), "plaintext key in " + file);
        assertFalse(content.contains(fixture.token), "plaintext token in " + file);
      }
    }
  }

  @Test
  void openAiKeysNeedTheSkPrefix() throws Exception {
    assertEquals(
        200, keys("PUT", "openai", "{\"key\":\"sk-proj-abc123\"}", fixture.token).statusCode());
    assertEquals(400, keys("PUT", "openai", "{\"key\":\"pk-abc\"}", fixture.token).statusCode());
  }

  @Test
  void invalidKeysAre400() throws Exception {
    String[] bodies = {
      "{\"key\":\"sk-wrong-prefix\"}",
      "{\"key\":\"sk-ant-" + "a".repeat(257 - 7) + "\"}",
      "{\"key\":\"\"}",
      "{\"key\":42}",
      "{}",
      "{not json",
      "[\"sk-ant-x\"]",
      "{\"key\":\"sk-ant- spaced\"}"
    };
    for (String body : bodies) {
      HttpResponse<String> response = keys("PUT", "anthropic", body, fixture.token);
      assertEquals(400, response.statusCode(), body + " -> " + response.body());
      assertEquals(
          "invalid_request_error",
          ProxyFixture.json(response.body()).get("error").get("type").asText());
    }
    assertEquals(
        200,
        keys("PUT", "anthropic", "{\"key\":\"sk-ant-" + "a".repeat(256 - 7) + "\"}", fixture.token)
            .statusCode(),
        "256 characters is the limit, inclusive");
  }

  @Test
  void servicePrincipalsAre403() throws Exception {
    String service = serviceToken();
    for (String method : new String[] {"GET", "PUT", "DELETE"}) {
      HttpResponse<String> response =
          keys(
              method,
              "anthropic",
              method.equals("PUT") ? "{\"key\":\"" + KEY + "\"}" : null,
              service);
      assertEquals(403, response.statusCode(), method);
      assertEquals(
          "permission_error", ProxyFixture.json(response.body()).get("error").get("type").asText());
    }
  }

  @Test
  void aBodyIsReadBeforeItIsRefusedSoTheConnectionStaysUsable() throws Exception {
    // Answering before the body has arrived lets the container close the connection after the
    // answer, and the client's next request on it fails. So the refusal waits for the body.
    String service = serviceToken();
    byte[] body = ("{\"key\":\"" + KEY + "\"}").getBytes(StandardCharsets.UTF_8);
    int port = URI.create(fixture.server.baseUrl()).getPort();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(
          ("PUT /api/v1/me/keys/anthropic HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                  + service
                  + "\r\ncontent-type: application/json\r\ncontent-length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.setSoTimeout(500);
      assertThrows(SocketTimeoutException.class, in::read, "answered before the body had arrived");
      socket.setSoTimeout(10_000);
      out.write(body);
      out.flush();
      assertTrue(readResponse(in).startsWith("HTTP/1.1 403 "));
      out.write(
          ("DELETE /api/v1/me/keys/anthropic HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                  + service
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertTrue(readResponse(in).startsWith("HTTP/1.1 403 "), "the same connection still works");
    }
  }

  /** A service principal's token, issued through the admin API. */
  private String serviceToken() throws Exception {
    HttpResponse<String> issued =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.server.baseUrl() + "/admin/tokens"))
                .header("Authorization", "Bearer " + ProxyFixture.ADMIN_TOKEN)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"user\":\"ci-bot\",\"kind\":\"service\"}"))
                .build());
    assertEquals(201, issued.statusCode(), issued.body());
    return ProxyFixture.json(issued.body()).get("token").asText();
  }

  /** One HTTP/1.1 response with a Content-Length body, read whole from {@code in}. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed after: " + head);
      }
      head.append((char) b);
    }
    Matcher length = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(head);
    assertTrue(length.find(), head.toString());
    in.readNBytes(Integer.parseInt(length.group(1)));
    return head.toString();
  }

  @Test
  void missingOrUnknownTokenIs401AndUnknownProviderIs404() throws Exception {
    assertEquals(401, keys("GET", "anthropic", null, null).statusCode());
    assertEquals(401, keys("GET", "anthropic", null, "lp_sk_unknown").statusCode());
    assertEquals(404, keys("GET", "gemini", null, fixture.token).statusCode());
  }
}
