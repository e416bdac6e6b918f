package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.llmproxy.example.HostileRequest.Header;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Generated hostile requests, written byte for byte, through the real example (Jetty, the filter,
 * the proxy) to a recording upstream: paths (dot segments, encoded and raw, bad escapes, control
 * and non-ASCII bytes, overlong lines), header names and values (invalid characters, bare CR/LF,
 * conflicting lengths, 20 KB values), and JSON bodies (cut short, nested 40,000 deep, huge numbers,
 * duplicate keys, invalid UTF-8 anywhere, a BOM, UTF-16). Whatever arrives, the proxy never answers
 * 5xx, never shows a stack trace or a Java class name, forwards nothing it refuses, forwards the
 * body of what it accepts byte for byte and never one a strict parser refuses (the JDK's UTF-8
 * decoder, then Jackson over characters), and answers every refusal as JSON in the caller's
 * provider envelope (the default one where Jetty refused before it knew the route).
 *
 * <p>A few hundred tries a property keep {@code mvn verify} at seconds; a failure is shrunk and
 * names its seed ({@link PropertyCheck}). For a longer hunt: {@code -DargLine="-Dllmproxy.tries=30
 * -Dh2.bindAddress=127.0.0.1"}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {
  private static final Pattern LEAK =
      Pattern.compile(
          "Exception|Throwable|\\tat |\\bat [a-z]+\\.|(java|javax|jakarta|sun|org\\.eclipse|"
              + "org\\.h2|com\\.fasterxml|okhttp3|dev\\.llmproxy)\\.[a-zA-Z]");
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private ProxyFixture fixture;
  private RecordingUpstream upstream;

  @BeforeAll
  void start() throws Exception {
    upstream = new RecordingUpstream();
    fixture =
        new ProxyFixture(
            Map.of(
                "LLMPROXY_TIER_RATES",
                "free=0",
                "LLMPROXY_MAX_BODY_BYTES",
                "65536",
                "LLMPROXY_ANTHROPIC_BASE_URL",
                upstream.baseUrl(),
                "LLMPROXY_OPENAI_BASE_URL",
                upstream.baseUrl(),
                // The raw client half-closes after sending (hostile framing needs an end), which
                // the disconnect watch would rightly read as a client that left.
                "LLMPROXY_WATCH_CLIENT_DISCONNECTS",
                "false"));
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
    upstream.close();
  }

  @Test
  void hostileBodiesOnTheMessagesRoutes() {
    PropertyCheck.forAll(
        "bodies",
        300,
        r -> {
          boolean anthropic = r.nextBoolean();
          return new HostileRequest(
              anthropic ? "anthropic" : "openai",
              HostileRequest.latin1(anthropic ? "v1/messages" : "v1/chat/completions"),
              r.nextInt(8) == 0 ? List.of() : List.of(Hostile.contentType(r)),
              Hostile.body(r),
              HostileRequest.Credential.API_KEY);
        },
        HostileRequest::shrink,
        this::holds);
  }

  @Test
  void hostilePaths() {
    PropertyCheck.forAll(
        "paths",
        200,
        r ->
            new HostileRequest(
                Hostile.pick(r, new String[] {"anthropic", "openai", "nope"}),
                Hostile.path(r),
                List.of(Header.of("content-type", "application/json")),
                AnthropicFixtures.REQUEST_JSON.getBytes(StandardCharsets.UTF_8),
                Hostile.credential(r)),
        HostileRequest::shrink,
        this::holds);
  }

  @Test
  void hostileHeaderNamesAndValues() {
    PropertyCheck.forAll(
        "headers",
        200,
        r -> {
          List<Header> headers = new java.util.ArrayList<>(Hostile.headers(r));
          headers.add(r.nextInt(headers.size() + 1), Hostile.contentType(r));
          return new HostileRequest(
              "anthropic",
              HostileRequest.latin1("v1/messages"),
              headers,
              AnthropicFixtures.REQUEST_JSON.getBytes(StandardCharsets.UTF_8),
              Hostile.credential(r));
        },
        HostileRequest::shrink,
        this::holds);
  }

  @Test
  void everythingHostileAtOnce() {
    PropertyCheck.forAll(
        "everything",
        150,
        (Random r) -> {
          List<Header> headers = new java.util.ArrayList<>(Hostile.headers(r));
          headers.add(Hostile.contentType(r));
          return new HostileRequest(
              Hostile.pick(r, new String[] {"anthropic", "openai", "nope"}),
              Hostile.path(r),
              headers,
              Hostile.body(r),
              Hostile.credential(r));
        },
        HostileRequest::shrink,
        this::holds);
  }

  /** The properties, for one request. */
  private void holds(HostileRequest request) throws Exception {
    upstream.clear(); // what an earlier, failed check left
    int before = upstream.count();
    RawExchange.Response response =
        RawExchange.send(fixture.server.port(), request.toBytes(fixture.token));
    int forwarded = upstream.count() - before;
    boolean fromUpstream =
        response.header("x-request-id").orElse("").equals(RecordingUpstream.MARK);

    assertFalse(
        LEAK.matcher(response.head()).find(), "a class name in the head: " + response.head());
    assertFalse(
        LEAK.matcher(response.bodyText()).find(), "a class name in: " + response.bodyText());
    if (fromUpstream) {
      assertEquals(1, forwarded, "answered by the upstream, so sent once");
      byte[] sent = upstream.nextBody();
      if (request.framedAsWritten()) { // else the server read another body: checked below
        assertArrayEquals(request.body(), sent, "the body, unchanged");
      } else {
        assertTrue(
            sent.length <= request.body().length, "a body longer than the request's was sent");
      }
      if (isJson(request.contentType()) && request.body().length > 0) {
        assertTrue(strictJson(request.body()), "forwarded a body a strict parser refuses");
      }
      return;
    }
    assertEquals(0, forwarded, "refused with " + response.status() + ", yet forwarded");
    assertTrue(response.status() < 500, "status " + response.status() + ": " + response.bodyText());
    boolean routeKnowable =
        !unparseableTarget(request.path())
            && request.toBytes(fixture.token).length - request.body().length <= 8000;
    // Over Jetty's 8 KiB of request head, Jetty answers 431 with the target, or now and then
    // (depending on how the bytes arrive) a 400 without one.
    assertEnvelope(routeKnowable ? request.provider() : "either", response);
  }

  /**
   * A request target Jetty refuses while parsing the request line, before it has a target: a
   * control byte, a percent-escape that is malformed or decodes to NUL, a line over its limit, or
   * dot segments that climb above the root. Which route it was for is lost, so the proxy's default
   * envelope is as right as the route's.
   */
  static boolean unparseableTarget(byte[] path) {
    if (path.length > 8000) {
      return true; // a request line over Jetty's 8 KiB: 414 before the target is kept
    }
    if (escapesRoot(new String(path, StandardCharsets.ISO_8859_1))) {
      return true; // Jetty cannot resolve the dot segments: "/badURI"
    }
    for (int i = 0; i < path.length; i++) {
      int b = path[i] & 0xFF;
      if (b < 0x20 || b == 0x7F) {
        return true;
      }
      if (b == '%'
          && (i + 2 >= path.length
              || Character.digit(path[i + 1], 16) < 0
              || Character.digit(path[i + 2], 16) < 0
              || (path[i + 1] == '0' && path[i + 2] == '0'))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code /proxy/{provider}/path}'s dot segments (encoded too) climb above "/". */
  private static boolean escapesRoot(String path) {
    int depth = 2;
    for (String segment : path.split("[?#]", 2)[0].split("/", -1)) {
      String name = segment.split(";", 2)[0].replaceAll("(?i)%2e", ".");
      if (name.equals("..")) {
        depth--;
      } else if (!name.equals(".")) {
        depth++;
      }
      if (depth < 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Anthropic's envelope on Anthropic and unknown routes, OpenAI's on OpenAI routes, either where
   * the route could not be known.
   */
  private static void assertEnvelope(String provider, RawExchange.Response response)
      throws Exception {
    assertEquals(
        "application/json",
        response.header("content-type").orElse("(none)").toLowerCase(Locale.ROOT).split(";")[0],
        response.head());
    JsonNode body = STRICT.readTree(response.body());
    if (provider.equals("either")) {
      provider = body.has("type") ? "anthropic" : "openai";
    }
    if (provider.equals("openai")) {
      JsonNode error = body.path("error");
      assertTrue(
          error.path("message").isTextual() && error.path("type").isTextual(), body.toString());
      assertTrue(error.has("param") && error.has("code"), body.toString());
    } else {
      assertEquals("error", body.path("type").asText(), body.toString());
      assertTrue(body.path("error").path("type").isTextual(), body.toString());
      assertTrue(body.path("error").path("message").isTextual(), body.toString());
    }
  }

  /** What the proxy takes for JSON: application/json or a +json type, parameters ignored. */
  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim();
    return type.equalsIgnoreCase("application/json") || type.endsWith("+json");
  }

  /** The JDK's strict UTF-8 decoder, no byte order mark, then Jackson over characters. */
  private static boolean strictJson(byte[] body) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      return false;
    }
    if (text.startsWith("\uFEFF")) {
      return false;
    }
    try {
      return STRICT.readTree(text) != null && !STRICT.readTree(text).isMissingNode();
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
