package dev.llmproxy.springexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.llmproxy.api.ProviderId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.ShallowEtagHeaderFilter;

/**
 * The example as a client sees it: the real application on Tomcat on a random port, a real HTTP
 * client, MockWebServer as the Anthropic upstream. Spring's response compression is on and a {@link
 * ShallowEtagHeaderFilter} (which buffers whole answers) is present, as in many apps.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"server.compression.enabled=true", "server.compression.min-response-size=1"})
class SpringExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String SHARED_KEY = "sk-ant-shared-org-key";
  private static final MockWebServer upstream = new MockWebServer();
  private static final Path dataDir = tempDir();

  private static final String MESSAGE =
      "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-test\","
          + "\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}],\"stop_reason\":\"end_turn\","
          + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}";
  private static final String MESSAGE_START =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
          + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-test\",\"content\":[],"
          + "\"stop_reason\":null,\"stop_sequence\":null,"
          + "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n";
  private static final String BLOCK_START =
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
  private static final String TEXT_DELTA =
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n";
  private static final String STREAM_END =
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
          + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
          + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":1}}\n\n"
          + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  @LocalServerPort int port;
  @Autowired Users users;
  @Autowired JdbcClient jdbc;

  private final OkHttpClient client =
      new OkHttpClient.Builder().readTimeout(WAIT).retryOnConnectionFailure(false).build();
  private String token;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    upstream.start();
    registry.add("llmproxy.anthropic.base-url", () -> upstream.url("/").toString());
    registry.add("llmproxy.anthropic.api-key", () -> SHARED_KEY);
    registry.add("app.data-dir", dataDir::toString);
    registry.add(
        "spring.datasource.url",
        () -> "jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
  }

  @AfterAll
  static void stopUpstream() throws IOException {
    upstream.close();
  }

  private final List<ScriptedBody> scripted = new java.util.ArrayList<>();

  private final String marker = UUID.randomUUID().toString();

  /** Each test has a fresh user of its own on the {@code team} plan. */
  @BeforeEach
  void newUser() {
    token = users.create("user-" + UUID.randomUUID(), "team").token().reveal();
  }

  /** The upstream's next request from this test (its message carries the test's marker). */
  private RecordedRequest forwarded() throws InterruptedException {
    while (true) {
      RecordedRequest request = upstream.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(request).as("this test's request upstream").isNotNull();
      if (request.getBody() != null && request.getBody().utf8().contains(marker)) {
        return request;
      }
    }
  }

  /** A test that failed half-way leaves no upstream stream open. */
  @AfterEach
  void endScriptedStreams() {
    scripted.forEach(ScriptedBody::breakOff);
  }

  @Test
  void aJsonAnswerPassesThroughUnchangedWithTheSharedKeyUpstream() throws Exception {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(MESSAGE)
            .build());

    try (Response response = client.newCall(messages(token, false)).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo(MESSAGE);
      assertThat(response.header("etag")).as("buffered by ShallowEtagHeaderFilter").isNull();
    }
    RecordedRequest forwarded = forwarded();
    assertThat(forwarded.getTarget()).isEqualTo("/v1/messages");
    assertThat(forwarded.getHeaders().get("x-api-key")).isEqualTo(SHARED_KEY);
    assertThat(forwarded.getHeaders().get("x-api-key")).isNotEqualTo(token);
  }

  @Test
  void theHostsOwnRoutesStillGoThroughSpringsFilters() throws Exception {
    try (Response response =
        client.newCall(new Request.Builder().url(base() + "/hello").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("hello from the host");
      assertThat(response.header("etag")).as("ShallowEtagHeaderFilter is active").isNotNull();
    }
  }

  @Test
  void aTokenNotInTheUsersTableIsRefused401() throws Exception {
    int before = upstream.getRequestCount();
    try (Response response = client.newCall(messages("app_not-a-user", false)).execute()) {
      assertThat(response.code()).isEqualTo(401);
      assertThat(response.body().string()).contains("\"authentication_error\"");
    }
    assertThat(upstream.getRequestCount()).isEqualTo(before);
  }

  @Test
  void aUsersOwnKeyFromTheAppsTableIsTheOneSentUpstream() throws Exception {
    String ownKey = "sk-ant-own-key-of-this-user";
    Request save =
        new Request.Builder()
            .url(base() + "/api/v1/me/keys/anthropic")
            .header("x-api-key", token)
            .put(RequestBody.create("{\"key\":\"" + ownKey + "\"}", JSON))
            .build();
    try (Response response = client.newCall(save).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).contains("\"configured\":true").doesNotContain(ownKey);
    }
    String userId = users.findByToken(dev.llmproxy.api.Secret.of(token)).orElseThrow().id();
    byte[] stored =
        jdbc.sql("SELECT ciphertext FROM user_upstream_keys WHERE user_id = ? AND provider = ?")
            .params(userId, ProviderId.ANTHROPIC.value())
            .query(byte[].class)
            .single();
    assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(ownKey);

    upstream.enqueue(new MockResponse.Builder().body(MESSAGE).build());
    try (Response response = client.newCall(messages(token, false)).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
    RecordedRequest forwarded = forwarded();
    assertThat(forwarded.getHeaders().get("x-api-key")).isEqualTo(ownKey);
  }

  @Test
  void answersCarryTheRateWindowOfTheUsersPlan() throws Exception {
    upstream.enqueue(new MockResponse.Builder().body(MESSAGE).build());
    upstream.enqueue(new MockResponse.Builder().body(MESSAGE).build());
    try (Response first = client.newCall(messages(token, false)).execute();
        Response second = client.newCall(messages(token, false)).execute()) {
      assertThat(first.header("x-ratelimit-limit")).isEqualTo("600"); // llmproxy.tiers.team.rate
      assertThat(first.header("x-ratelimit-remaining")).isEqualTo("599");
      assertThat(second.header("x-ratelimit-remaining")).isEqualTo("598");
      assertThat(Long.parseLong(first.header("x-ratelimit-reset")))
          .isGreaterThan(System.currentTimeMillis() / 1000 - 1);
    }
  }

  @Test
  void streamedEventsReachTheClientOneByOneUncompressed() throws Exception {
    ScriptedBody body = streamUpstream();
    body.send(MESSAGE_START);

    try (Response response =
        client
            .newCall(messages(token, true).newBuilder().header("accept-encoding", "gzip").build())
            .execute()) {
      assertThat(response.header("content-type")).startsWith("text/event-stream");
      assertThat(response.header("content-encoding")).as("compressed by the container").isNull();
      assertThat(response.header("etag")).isNull();
      BufferedSource events = response.body().source();
      long firstSent = body.nextSentAt(WAIT);
      assertThat(readEvent(events)).isEqualTo(MESSAGE_START);
      long firstArrived = System.nanoTime();

      body.send(TEXT_DELTA); // only now, after the client has the first event
      long secondSent = body.nextSentAt(WAIT);
      assertThat(readEvent(events)).isEqualTo(TEXT_DELTA);
      long secondArrived = System.nanoTime();

      assertThat(firstArrived).isBetween(firstSent, secondSent);
      assertThat(secondArrived).isGreaterThan(secondSent);
      body.end();
      assertThat(events.exhausted()).isTrue();
    }
  }

  @Test
  void anUpstreamBreakingOffMidStreamEndsTheClientsResponseAbnormally() throws Exception {
    ScriptedBody body = streamUpstream();
    body.send(MESSAGE_START);

    try (Response response = client.newCall(messages(token, true)).execute()) {
      BufferedSource events = response.body().source();
      assertThat(readEvent(events)).isEqualTo(MESSAGE_START);
      body.breakOff();
      assertThatThrownBy(events::readUtf8)
          .as("a clean end would tell the client the answer was complete")
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void theAnthropicJavaSdkWorksThroughTheProxy() {
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(MESSAGE)
            .build());
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .body(MESSAGE_START + BLOCK_START + TEXT_DELTA + STREAM_END)
            .build());
    AnthropicClient sdk =
        AnthropicOkHttpClient.builder()
            .baseUrl(base() + "/proxy/anthropic")
            .apiKey(token)
            .maxRetries(0)
            .build();
    try {
      MessageCreateParams params =
          MessageCreateParams.builder()
              .model("claude-test")
              .maxTokens(16)
              .addUserMessage("Hi")
              .build();

      Message message = sdk.messages().create(params);
      assertThat(message.id()).isEqualTo("msg_1");
      assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("Hello");

      MessageAccumulator accumulator = MessageAccumulator.create();
      try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params)) {
        List<RawMessageStreamEvent> events = stream.stream().peek(accumulator::accumulate).toList();
        assertThat(events).hasSize(6);
      }
      assertThat(accumulator.message().content().get(0).text().orElseThrow().text())
          .isEqualTo("Hello");
    } finally {
      sdk.close();
    }
  }

  private ScriptedBody streamUpstream() {
    ScriptedBody body = new ScriptedBody();
    scripted.add(body);
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "text/event-stream")
            .setHeader("transfer-encoding", "chunked")
            // MockWebServer closes a connection whose body had no length: keep it out of the pool
            .setHeader("connection", "close")
            .body(body)
            .build());
    return body;
  }

  private String base() {
    return "http://127.0.0.1:" + port;
  }

  private Request messages(String proxyToken, boolean stream) {
    return new Request.Builder()
        .url(base() + "/proxy/anthropic/v1/messages")
        .header("x-api-key", proxyToken)
        .header("anthropic-version", "2023-06-01")
        .post(
            RequestBody.create(
                "{\"model\":\"claude-test\",\"max_tokens\":16,\"stream\":"
                    + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi "
                    + marker
                    + "\"}]}",
                JSON))
        .build();
  }

  private static String readEvent(BufferedSource body) throws IOException {
    StringBuilder event = new StringBuilder();
    String line;
    do {
      line = body.readUtf8LineStrict();
      event.append(line).append('\n');
    } while (!line.isEmpty());
    return event.toString();
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("spring-example");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The host's own page, and the filter many apps have that buffers whole answers. */
  @TestConfiguration
  static class Host {
    @Bean
    ShallowEtagHeaderFilter shallowEtagHeaderFilter() {
      return new ShallowEtagHeaderFilter();
    }

    @Bean
    HelloController helloController() {
      return new HelloController();
    }
  }

  @RestController
  static class HelloController {
    @GetMapping("/hello")
    String hello() {
      return "hello from the host";
    }
  }
}
