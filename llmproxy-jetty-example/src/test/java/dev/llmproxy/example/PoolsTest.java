package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.ProxyEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream pools through the example as {@code serve} runs it: {@code LLMPROXY_POOLS_FILE}, an
 * exchange retried over three members that counts and is charged once, the official SDK through a
 * pool whose first member is down, {@code doctor}, and configuration errors that name the field.
 */
class PoolsTest {
  private static final String KEY_B = "sk-ant-member-b-secret-0123456789";
  private static final String KEY_C = "sk-ant-member-c-secret-0123456789";

  private final MockWebServer overloaded = new MockWebServer();
  private Path dir;

  @BeforeEach
  void start() throws Exception {
    overloaded.start();
    dir = Files.createTempDirectory("llmproxy-pools");
  }

  @AfterEach
  void stop() throws Exception {
    overloaded.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static String refusingUrl() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }
  }

  /** A fixture whose Anthropic pool is: a refused port, the overloaded server, the fixture's. */
  private ProxyFixture fixture(String dead) throws Exception {
    return new ProxyFixture(
        upstream -> {
          Path file = dir.resolve("pools.json");
          String json =
              "{\"pools\":[{\"provider\":\"anthropic\",\"strategy\":\"fill-first\","
                  + "\"retry_on\":[429,529,500,502,503,504],\"max_tries\":3,\"deadline_ms\":30000,"
                  + "\"cooldown_ms\":60000,\"members\":["
                  + "{\"id\":\"org-a\",\"api_key\":\"sk-ant-member-a-0123456789\",\"base_url\":\""
                  + dead
                  + "\"},"
                  + "{\"id\":\"org-b\",\"api_key_env\":\"ORG_B_KEY\",\"base_url\":\""
                  + overloaded.url("/")
                  + "\"},"
                  + "{\"id\":\"org-c\",\"api_key_env\":\"ORG_C_KEY\",\"base_url\":\""
                  + upstream
                  + "\",\"weight\":2}]}]}";
          try {
            Files.writeString(file, json);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return Map.of(
              "LLMPROXY_POOLS_FILE", file.toString(), "ORG_B_KEY", KEY_B, "ORG_C_KEY", KEY_C);
        });
  }

  private static MockResponse usage(int input, int output) {
    return new MockResponse.Builder()
        .setHeader("content-type", "application/json")
        .body(
            "{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude-sonnet-4-5\","
                + "\"usage\":{\"input_tokens\":"
                + input
                + ",\"output_tokens\":"
                + output
                + "}}")
        .build();
  }

  @Test
  void aRequestRetriedTwiceCountsOnceAndIsChargedOnceForTheAnswer() throws Exception {
    overloaded.enqueue(
        new MockResponse.Builder()
            .code(529)
            .body("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}")
            .build());
    try (ProxyFixture fixture = fixture(refusingUrl())) {
      JsonNode issued = fixture.issue("{\"user\":\"erin\",\"max_requests\":5}");
      String token = issued.get("token").asText();
      String id = issued.get("id").asText();
      fixture.upstream.enqueue(usage(1000, 500));

      HttpResponse<String> response =
          fixture.send(
              HttpRequest.newBuilder(java.net.URI.create(fixture.anthropicBase() + "/v1/messages"))
                  .header("x-api-key", token)
                  .header("content-type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":500}"))
                  .build());

      assertEquals(200, response.statusCode(), response.body());
      RecordedRequest answered = fixture.upstream.takeRequest(5, TimeUnit.SECONDS);
      assertEquals(
          KEY_C, answered.getHeaders().get("x-api-key"), "the member's key, not the shared one");
      assertEquals(1, overloaded.getRequestCount());
      ProxyEvent event = fixture.nextEvent();
      assertEquals(3, event.tries());

      fixture.server.flushAudit();
      BigDecimal audited = BigDecimal.ZERO;
      JsonNode line = null;
      for (String text : Files.readAllLines(fixture.dataDir().resolve(AuditLog.FILE_NAME))) {
        JsonNode entry = ProxyFixture.json(text);
        if (id.equals(entry.path("token_id").asText())) {
          audited = audited.add(entry.get("cost_usd").decimalValue());
          line = entry;
        }
      }
      assertTrue(line != null, "an audit line for the token");
      assertEquals("org-c", line.get("member").asText());
      assertEquals(3, line.get("tries").asInt());
      JsonNode view = new ExampleClient(ProxyFixture.ADMIN_TOKEN).view(fixture.server, id);
      assertEquals(1, view.get("used_requests").asInt(), "counted once across three tries");
      BigDecimal spent = view.get("spent_usd").decimalValue();
      // claude-sonnet-4-5: $3 in, $15 out per million: 1000 in + 500 out = 0.003 + 0.0075
      assertEquals(0, spent.compareTo(new BigDecimal("0.0105")), "charged once: " + spent);
      assertEquals(0, spent.compareTo(audited), "spent_usd " + spent + " vs audit " + audited);
    }
  }

  @Test
  void theAnthropicSdkWorksThroughAPoolWhoseFirstMemberIsDown() throws Exception {
    overloaded.enqueue(new MockResponse.Builder().code(503).body("{}").build());
    try (ProxyFixture fixture = fixture(refusingUrl())) {
      AnthropicClient client =
          AnthropicOkHttpClient.builder()
              .baseUrl(fixture.anthropicBase())
              .apiKey(fixture.token)
              .maxRetries(0)
              .timeout(Duration.ofSeconds(30))
              .build();
      try {
        fixture.upstream.enqueue(
            new MockResponse.Builder()
                .setHeader("content-type", "application/json")
                .body(AnthropicFixtures.MESSAGE_JSON)
                .build());
        ScriptedStream stream = ScriptedStream.of(AnthropicFixtures.STREAM_EVENTS);
        stream.release();
        fixture.upstream.enqueue(stream.response());
        MessageCreateParams params =
            MessageCreateParams.builder()
                .model("claude-sonnet-4-5")
                .maxTokens(64)
                .addUserMessage("Hi")
                .build();

        Message message = client.messages().create(params);
        assertEquals("msg_01", message.id());
        ProxyEvent failedOver = fixture.nextEvent();
        assertEquals("org-c", failedOver.member().orElseThrow());
        assertEquals(3, failedOver.tries(), "org-a refused the connection, org-b answered 503");

        int events = 0;
        try (StreamResponse<RawMessageStreamEvent> response =
            client.messages().createStreaming(params)) {
          for (RawMessageStreamEvent ignored :
              (Iterable<RawMessageStreamEvent>) response.stream()::iterator) {
            events++;
          }
        }
        assertEquals(7, events);
        ProxyEvent streamed = fixture.nextEvent();
        assertEquals("org-c", streamed.member().orElseThrow());
        assertEquals(1, streamed.tries(), "org-a and org-b rest: skipped, not tried");
        assertEquals(1, overloaded.getRequestCount());
      } finally {
        client.close();
      }
    }
  }

  @Test
  void doctorListsPoolsAndMembersAndNoKey() throws Exception {
    Path file = dir.resolve("pools.json");
    Path credentials = dir.resolve("missing.credentials.json");
    Files.writeString(
        file,
        "{\"pools\":[{\"provider\":\"anthropic\",\"strategy\":\"weighted\",\"members\":["
            + "{\"id\":\"org-a\",\"api_key\":\"sk-ant-doctor-secret-a\"},"
            + "{\"id\":\"org-b\",\"api_key_env\":\"ORG_B_KEY\",\"weight\":3,"
            + "\"base_url\":\"https://eu.example.com\"},"
            + "{\"id\":\"max-1\",\"claude_credentials\":\""
            + credentials
            + "\"}],\"aliases\":{\"fast\":\"claude-haiku-4-5\"}}]}");
    ExampleConfig config =
        ExampleConfig.fromEnvironment(
            Map.of(
                "LLMPROXY_POOLS_FILE", file.toString(),
                "ORG_B_KEY", KEY_B,
                "LLMPROXY_DATA_DIR", dir.resolve("data").toString()));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status =
        DoctorCommand.run(config, false, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(out.contains("pool anthropic: weighted"), out);
    assertTrue(out.contains("member org-a: api key set"), out);
    assertTrue(
        out.contains("member org-b: api key set, base_url https://eu.example.com, weight 3"), out);
    assertTrue(
        out.contains("member max-1: claude subscription (" + credentials + "): missing"), out);
    assertEquals(1, status, "a member without its credential is a problem");
    assertFalse(out.contains("sk-ant-doctor-secret-a") || out.contains(KEY_B), out);
    assertFalse(
        config.toString().contains("sk-ant-doctor-secret-a") || config.toString().contains(KEY_B),
        config.toString());
  }

  @Test
  void anInvalidPoolsFileIsAStartupErrorNamingTheField() throws Exception {
    assertEquals(
        "LLMPROXY_POOLS_FILE: pools[0].members[1].api_key_env: ORG_B_KEY is not set",
        invalid(
            "{\"pools\":[{\"provider\":\"anthropic\",\"members\":[{\"id\":\"a\",\"api_key\":\"sk-ant-x\"},"
                + "{\"id\":\"b\",\"api_key_env\":\"ORG_B_KEY\"}]}]}"));
    assertEquals(
        "LLMPROXY_POOLS_FILE: pools[0].members[0].apikey: unknown field",
        invalid(
            "{\"pools\":[{\"provider\":\"anthropic\",\"members\":[{\"id\":\"a\",\"apikey\":\"sk-ant-x\"}]}]}"));
    assertEquals(
        "LLMPROXY_POOLS_FILE: pools[0].strategy: strategy must be round-robin, least-in-flight,"
            + " fill-first or weighted, got 'random'",
        invalid(
            "{\"pools\":[{\"provider\":\"anthropic\",\"strategy\":\"random\","
                + "\"members\":[{\"id\":\"a\",\"api_key\":\"sk-ant-x\"}]}]}"));
    assertEquals(
        "LLMPROXY_POOLS_FILE: pools[0].max_tries: must be a whole number from 1 to 100",
        invalid(
            "{\"pools\":[{\"provider\":\"anthropic\",\"max_tries\":0,"
                + "\"members\":[{\"id\":\"a\",\"api_key\":\"sk-ant-x\"}]}]}"));
    assertEquals(
        "LLMPROXY_POOLS_FILE: pools[0].provider: 'mistral' is not a provider of this proxy",
        invalid(
                "{\"pools\":[{\"provider\":\"mistral\",\"members\":[{\"id\":\"a\",\"api_key\":\"k\"}]}]}")
            .replaceAll(" \\[.*\\]$", ""));
    String badKey =
        invalid(
            "{\"pools\":[{\"provider\":\"anthropic\",\"members\":[{\"id\":\"a\","
                + "\"api_key\":\"sk-ant-has space-secret\"}]}]}");
    assertTrue(badKey.startsWith("LLMPROXY_POOLS_FILE: pools[0].members[0]: "), badKey);
    assertFalse(badKey.contains("space-secret"), badKey);
  }

  @Test
  void anInvalidPoolsFileStopsServeWithTheMessage() throws Exception {
    Path file = dir.resolve("pools.json");
    Files.writeString(file, "{\"pools\":[{\"provider\":\"anthropic\",\"members\":[]}]}");
    Map<String, String> env = new HashMap<>();
    env.put("LLMPROXY_POOLS_FILE", file.toString());
    env.put("LLMPROXY_DATA_DIR", dir.resolve("data").toString());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Main.run(
            new String[] {"serve"},
            env,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, status);
    assertEquals(
        "llmproxy: LLMPROXY_POOLS_FILE: pools[0].members: needs at least one member",
        err.toString(StandardCharsets.UTF_8).trim());
  }

  private String invalid(String json) throws Exception {
    Path file = dir.resolve("invalid.json");
    Files.writeString(file, json);
    return assertThrows(
            IllegalArgumentException.class,
            () -> ExampleConfig.fromEnvironment(Map.of("LLMPROXY_POOLS_FILE", file.toString())))
        .getMessage();
  }

  private static HttpResponse<String> admin(ProxyFixture fixture, String path, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(java.net.URI.create(fixture.server.baseUrl() + path));
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    return fixture.send(request.build());
  }

  @Test
  void membersThatRestShowInAdminPoolsAndAsGauges() throws Exception {
    overloaded.enqueue(
        new MockResponse.Builder()
            .code(429)
            .setHeader("retry-after", "30")
            .body("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}")
            .build());
    try (ProxyFixture fixture = fixture(refusingUrl())) {
      fixture.upstream.enqueue(usage(10, 5));
      HttpResponse<String> answered =
          fixture.send(
              HttpRequest.newBuilder(java.net.URI.create(fixture.anthropicBase() + "/v1/messages"))
                  .header("x-api-key", fixture.token)
                  .header("content-type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5}"))
                  .build());
      assertEquals(200, answered.statusCode(), answered.body());

      assertEquals(401, admin(fixture, "/admin/pools", fixture.token).statusCode());
      HttpResponse<String> pools = admin(fixture, "/admin/pools", ProxyFixture.ADMIN_TOKEN);
      assertEquals(200, pools.statusCode());
      assertFalse(pools.body().contains("sk-ant-"), "no credential: " + pools.body());
      Map<String, JsonNode> members = new java.util.HashMap<>();
      ProxyFixture.json(pools.body())
          .get("members")
          .forEach(m -> members.put(m.get("member").asText(), m));
      assertTrue(members.get("org-b").get("resting").asBoolean(), "rate limited: " + pools.body());
      assertEquals(
          fixture.clock.instant().plusSeconds(30).toString(),
          members.get("org-b").get("resting_until").asText(),
          "its retry-after");
      assertFalse(members.get("org-c").get("resting").asBoolean(), "it answered");

      String scrape = admin(fixture, "/metrics", ProxyFixture.ADMIN_TOKEN).body();
      assertTrue(
          scrape
              .lines()
              .anyMatch(
                  l ->
                      l.startsWith("llmproxy_pool_member_resting{")
                          && l.contains("llmproxy_pool_member=\"org-b\"")
                          && l.endsWith(" 1.0")),
          scrape);
      assertTrue(
          scrape
              .lines()
              .anyMatch(
                  l ->
                      l.startsWith("llmproxy_pool_member_resting{")
                          && l.contains("llmproxy_pool_member=\"org-c\"")
                          && l.endsWith(" 0.0")),
          scrape);
    }
  }
}
