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
    assertEquals(new RequestPeek("claude-x", true, 1024, true), peek);
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
  @ValueSource(strings = {"{", "{\"model\":}", "{\"a\":1} trailing", "[1,2", "{\"a\":1}}", "nul"})
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

  @Test
  void longStringsAreNotCapped() throws ProxyError {
    String big = "{\"model\":\"m\",\"image\":\"" + "A".repeat(25_000_000) + "\"}";
    assertTrue(RequestPeek.of(big.getBytes(UTF_8), "application/json").model().equals("m"));
  }
}
