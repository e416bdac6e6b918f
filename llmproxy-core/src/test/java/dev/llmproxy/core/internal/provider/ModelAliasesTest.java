package dev.llmproxy.core.internal.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelAliasesTest {
  private final ModelAliases aliases = new ModelAliases(Map.of("fast", "claude-haiku-4-5"));

  private String rewrite(String body) {
    return new String(
        aliases.rewrite(body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void onlyTheTopLevelModelChangesEveryOtherByteStays() {
    String body =
        "{ \"max_tokens\" :10,\n \"model\" : \"fast\" , \"metadata\":{\"model\":\"fast\"},"
            + "\"messages\":[{\"content\":\"\\u00e9 \\\"fast\\\"\"}]}";
    assertEquals(
        body.replace("\"model\" : \"fast\"", "\"model\" : \"claude-haiku-4-5\""), rewrite(body));
  }

  @Test
  void aModelThatIsNoAliasLeavesTheBodyAsItIs() {
    byte[] body = "{\"model\":\"claude-sonnet-4-5\"}".getBytes(StandardCharsets.UTF_8);
    assertSame(body, aliases.rewrite(body));
    assertEquals(null, aliases.resolve("claude-sonnet-4-5"));
    assertEquals("claude-haiku-4-5", aliases.resolve("fast"));
  }

  @Test
  void anEscapedAliasIsRecognisedAndReplaced() {
    assertEquals(
        "{\"model\":\"claude-haiku-4-5\",\"x\":1}", rewrite("{\"model\":\"f\\u0061st\",\"x\":1}"));
  }
}
