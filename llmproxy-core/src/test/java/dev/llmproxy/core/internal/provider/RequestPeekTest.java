package dev.llmproxy.core.internal.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.core.internal.http.ProxyError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPeekTest {
  @Test
  void readsTopLevelModelStreamAndMaxTokensOnly() throws ProxyError {
    RequestPeek peek =
        RequestPeek.of(
            ("{\"messages\":[{\"model\":\"nested\",\"stream\":false}],\"model\":\"claude-x\","
                    + "\"metadata\":{\"max_tokens\":1},\"stream\":true,\"max_tokens\":1024}")
                .getBytes(UTF_8),
            "application/json; charset=utf-8");
    assertEquals(new RequestPeek("claude-x", true, 1024, true, 1), peek);
  }

  @Test
  void severalChoicesMultiplyTheOutputAndTooManyAreRefused() throws ProxyError {
    assertEquals(
        4,
        RequestPeek.of("{\"model\":\"gpt-4o\",\"n\":4}".getBytes(UTF_8), "application/json")
            .choices());
    assertEquals(
        5, RequestPeek.of("{\"n\":2,\"best_of\":5}".getBytes(UTF_8), "application/json").choices());
    for (String n : new String[] {"0", "129", "-1", "2.0", "\"2\""}) {
      ProxyError refused =
          assertThrows(
              ProxyError.class,
              () -> RequestPeek.of(("{\"n\":" + n + "}").getBytes(UTF_8), "application/json"));
      assertEquals(400, refused.status());
    }
  }

  @Test
  void nonStringModelIsIgnoredButTheBodyStillParses() throws ProxyError {
    RequestPeek peek =
        RequestPeek.of("{\"model\":{\"a\":[1,2]},\"x\":1}".getBytes(UTF_8), "application/json");
    assertNull(peek.model());
  }

  @Test
  void nonJsonAndEmptyBodiesAreNotParsed() throws ProxyError {
    assertEquals(RequestPeek.NONE, RequestPeek.of("not json".getBytes(UTF_8), "text/plain"));
    assertEquals(RequestPeek.NONE, RequestPeek.of(new byte[0], "application/json"));
    assertEquals(RequestPeek.NONE, RequestPeek.of("{".getBytes(UTF_8), null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{",
        "{\"model\":}",
        "{\"a\":1} trailing",
        "[1,2",
        "{\"a\":1}}",
        "nul",
        " ",
        "\n\t\r "
      })
  void malformedJsonIsABadRequest(String body) {
    ProxyError error =
        assertThrows(
            ProxyError.class, () -> RequestPeek.of(body.getBytes(UTF_8), "application/json"));
    assertEquals(400, error.status());
  }

  @Test
  void duplicateKeysAndAbsurdMaxTokensAreBadRequests() {
    for (String body :
        new String[] {
          "{\"max_tokens\":1,\"max_tokens\":64000}",
          "{\"model\":\"a\",\"model\":\"b\"}",
          "{\"max_tokens\":10000001}",
          "{\"max_tokens\":-1}"
        }) {
      assertEquals(
          400,
          assertThrows(
                  ProxyError.class, () -> RequestPeek.of(body.getBytes(UTF_8), "application/json"))
              .status(),
          body);
    }
  }

  @Test
  void aMaxTokensThatIsNotAnIntegerMeansTheDefaultWorstCase() throws ProxyError {
    assertEquals(
        -1,
        RequestPeek.of("{\"max_tokens\":12.5}".getBytes(UTF_8), "application/json").maxTokens());
  }

  /**
   * Jackson pads a name's last partial four-byte group with 0xFF before its symbol-table lookup, so
   * once {@code content} has been seen, {@code cont\xFFent} matched it and was never decoded.
   */
  @Test
  void anInvalidByteInANestedNameIsRefusedEvenWhenTheNameWasSeenBefore() throws ProxyError {
    RequestPeek.of(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes(UTF_8),
        "application/json");
    assertBadRequest(latin1("{\"messages\":[{\"role\":\"user\",\"cont\u00ffent\":\"hi\"}]}"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{\"model\":\"m\",\"x\":\"\u00ff\"}", // a byte that never occurs in UTF-8, in a value
        "{\"m\":[{\"a\u00c0\u00af\":1}]}", // an overlong '/' in a nested name
        "{\"m\":\"\u00e0\u0080\u00af\"}", // a three-byte overlong
        "{\"m\":{\"t\":\"\u00ed\u00a0\u0080\"}}", // a surrogate (CESU-8) in a nested value
        "{\"\u00ed\u00b0\u0080\":1}", // a surrogate in a name
        "{\"m\":\"\u00f4\u0090\u0080\u0080\"}", // above U+10FFFF
        "{\"m\":\"\u0080\"}", // a lone continuation byte
        "{\"m\":\"\u00e2\u0082\"}", // a sequence cut short by the closing quote
        "{\"m\":1}\u00e2\u0082", // ... by the end of the body
        "{\"m\":1} \u00e2", // ... after whitespace
        "\u00ef\u00bb\u00bf{\"model\":\"m\"}", // a byte order mark
        "\u00fe\u00ff{}", // a UTF-16 byte order mark
      })
  void aBodyThatIsNotWellFormedUtf8IsABadRequest(String latin1Body) {
    assertBadRequest(latin1(latin1Body));
  }

  @Test
  void aUtf16OrUtf32BodyIsABadRequestThoughJacksonWouldReadIt() {
    for (var charset : new String[] {"UTF-16LE", "UTF-16BE", "UTF-32BE", "UTF-32LE"}) {
      assertBadRequest("{\"model\":\"m\"}".getBytes(java.nio.charset.Charset.forName(charset)));
    }
  }

  @Test
  void wellFormedTextInEveryPlaneIsAccepted() throws ProxyError {
    String text = "é 日本 😀 \uD7FF \uE000 \uFFFF \uDBFF\uDFFF";
    RequestPeek peek =
        RequestPeek.of(
            ("{\"model\":\"m\",\"" + text + "\":[{\"" + text + "\":\"" + text + "\"}]}")
                .getBytes(UTF_8),
            "application/json");
    assertEquals("m", peek.model());
  }

  private static byte[] latin1(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static void assertBadRequest(byte[] body) {
    ProxyError error =
        assertThrows(ProxyError.class, () -> RequestPeek.of(body, "application/json"));
    assertEquals(400, error.status());
  }

  @Test
  void longStringsAreNotCapped() throws ProxyError {
    String big = "{\"model\":\"m\",\"image\":\"" + "A".repeat(25_000_000) + "\"}";
    assertTrue(RequestPeek.of(big.getBytes(UTF_8), "application/json").model().equals("m"));
  }
}
