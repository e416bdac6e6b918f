package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmproxy.api.Outcome;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Past LLMPROXY_MAX_CONCURRENT the proxy answers overloaded at once instead of queueing. */
class OverloadTest {
  @Test
  void anExchangeBeyondTheLimitGets529WhileTheFirstStreamIsOpen() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_MAX_CONCURRENT", "1"))) {
      ScriptedStream stream = ScriptedStream.of(AnthropicFixtures.STREAM_EVENTS);
      fixture.upstream.enqueue(stream.response());
      HttpResponse<InputStream> open =
          fixture.http.send(
              fixture
                  .anthropic("/v1/messages")
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, open.statusCode()); // the first exchange holds the only slot

      HttpResponse<String> rejected =
          fixture.send(
              fixture
                  .anthropic("/v1/messages")
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                  .build());
      assertEquals(529, rejected.statusCode());
      JsonNode body = ProxyFixture.json(rejected.body());
      assertEquals("overloaded_error", body.get("error").get("type").asText());
      assertEquals(Outcome.UPSTREAM_ERROR, fixture.nextEvent().outcome());

      stream.release();
      try (InputStream body1 = open.body()) {
        body1.readAllBytes();
      }
      assertEquals(Outcome.OK, fixture.nextEvent().outcome());
      assertEquals(1, fixture.upstream.getRequestCount());
    }
  }
}
