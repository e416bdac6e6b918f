package dev.llmproxy.core.internal.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmproxy.core.internal.http.ErrorType;
import dev.llmproxy.core.internal.http.ProxyError;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouterTest {
  private final AnthropicProfile anthropic = new AnthropicProfile("http://upstream.test/base/");
  private final Router router = new Router(Map.of("anthropic", anthropic), anthropic);

  @Test
  void routesProviderAndKeepsTheRawPath() throws ProxyError {
    Route route = router.resolve("/anthropic/v1/messages%3Abatch").checked();
    assertEquals(anthropic, route.profile());
    assertEquals("/v1/messages%3Abatch", route.upstreamPath());
    assertEquals(
        "http://upstream.test/base/v1/messages%3Abatch?beta=true&a=%20",
        route.upstreamUrl("beta=true&a=%20"));
    assertEquals("http://upstream.test/base/v1/messages%3Abatch", route.upstreamUrl(null));
  }

  @Test
  void unknownProviderIs404() {
    ProxyError error =
        assertThrows(ProxyError.class, () -> router.resolve("/openai/v1/chat").checked());
    assertEquals(404, error.status());
    assertEquals(ErrorType.NOT_FOUND, error.type());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/anthropic/..",
        "/anthropic/../x",
        "/anthropic/v1/./messages",
        "/anthropic/%2e%2e/x",
        "/anthropic/%2E%2e/x",
        "/anthropic/.%2E/x",
        "/anthropic/%2e/x",
        "/anthropic/v1/..%2fx",
        "/anthropic/v1/..%2Fx",
        "/anthropic/v1/%5c..",
        "/anthropic/v1\\..\\x",
        "/anthropic/..;/admin",
        "/anthropic/..;x/admin",
        "/anthropic/%2e%2e;x/admin",
        "/anthropic/.%2e%3bx/admin"
      })
  void traversalIsRejected(String path) {
    ProxyError error = assertThrows(ProxyError.class, () -> router.resolve(path).checked());
    assertEquals(400, error.status());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/anthropic/v1/messages",
        "/anthropic/v1/...",
        "/anthropic/v1/..a",
        "/anthropic/v1/a..",
        "/anthropic/v1/%2e%2e%2e",
        "/anthropic/v1/%zz",
        "/anthropic/v1/%2",
        "/anthropic/",
        "/anthropic"
      })
  void ordinaryPathsPass(String path) throws ProxyError {
    router.resolve(path).checked();
  }
}
