package dev.llmproxy.core.internal.metering;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Usage;
import java.io.ByteArrayOutputStream;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class AnthropicMetersTest {
  /** Recorded shape of a Messages stream with prompt caching, pings and an unknown event. */
  static final String STREAM =
      "event: message_start\n"
          + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\","
          + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],"
          + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,"
          + "\"cache_creation_input_tokens\":1200,\"cache_read_input_tokens\":3400,"
          + "\"output_tokens\":1}}}\n\n"
          + "event: content_block_start\n"
          + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
          + "event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n"
          + "event: content_block_delta\n"
          + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
          + "\"text\":\"a \\\"usage\\\" word in text\"}}\n\n"
          + "event: some_future_event\ndata: {\"type\":\"some_future_event\",\"usage\":\"odd\"}\n\n"
          + "event: message_delta\n"
          + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
          + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n"
          + "event: message_delta\n"
          + "data: {\"type\":\"message_delta\",\"delta\":{},\"usage\":{\"output_tokens\":87}}\n\n"
          + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  static final Usage STREAM_USAGE = new Usage(25, 87, 1200, 3400);

  static final String JSON =
      "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\","
          + "\"content\":[{\"type\":\"text\",\"text\":\"{\\\"usage\\\":{\\\"input_tokens\\\":999}}\"}],"
          + "\"stop_reason\":\"end_turn\",\"metadata\":{\"usage\":{\"input_tokens\":777}},"
          + "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":null,"
          + "\"cache_read_input_tokens\":40,\"output_tokens\":3,"
          + "\"server_tool_use\":{\"web_search_requests\":1}}}";

  static final Usage JSON_USAGE = new Usage(12, 3, 0, 40);

  private static UsageMeter.Metered feed(UsageMeter meter, byte[] bytes, int... splits) {
    int start = 0;
    for (int split : splits) {
      meter.update(bytes, start, split - start);
      start = split;
    }
    meter.update(bytes, start, bytes.length - start);
    return meter.result();
  }

  @Test
  void sseStreamWithCacheTokensAndCumulativeDeltas() {
    UsageMeter.Metered metered = feed(new AnthropicSseMeter(), STREAM.getBytes(UTF_8));
    assertEquals(STREAM_USAGE, metered.usage(), "latest delta wins, never summed");
    assertTrue(metered.complete());
  }

  @Test
  void theResponseModelAndStopReasonAreReadFromTheStreamAndTheJson() {
    UsageMeter.Metered stream = feed(new AnthropicSseMeter(), STREAM.getBytes(UTF_8));
    assertEquals("claude-sonnet-4-5-20250929", stream.responseModel());
    assertEquals("end_turn", stream.finishReason(), "a later delta without one keeps it");
    UsageMeter.Metered json = feed(JsonUsageMeter.anthropic(), JSON.getBytes(UTF_8));
    assertEquals("claude-haiku-4-5", json.responseModel());
  }

  @Test
  void sseSplitAtEveryByteOffsetGivesTheSameUsage() {
    byte[] bytes = STREAM.getBytes(UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      assertEquals(
          STREAM_USAGE, feed(new AnthropicSseMeter(), bytes, split).usage(), "split " + split);
    }
    // and one byte at a time
    UsageMeter meter = new AnthropicSseMeter();
    for (int i = 0; i < bytes.length; i++) {
      meter.update(bytes, i, 1);
    }
    assertEquals(STREAM_USAGE, meter.result().usage());
  }

  @Test
  void inputAndCacheTokensReportedOnlyInTheDeltaAreTaken() {
    String stream =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"output_tokens\":1}}}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"input_tokens\":9,"
            + "\"cache_read_input_tokens\":4,\"output_tokens\":5}}\n\n";
    assertEquals(
        new Usage(9, 5, 0, 4), feed(new AnthropicSseMeter(), stream.getBytes(UTF_8)).usage());
  }

  @Test
  void truncatedStreamsGivePartialUsageMarkedIncomplete() {
    byte[] bytes = STREAM.getBytes(UTF_8);
    int cut = STREAM.indexOf("event: message_delta");
    UsageMeter meter = new AnthropicSseMeter();
    meter.update(bytes, 0, cut + 30); // cut in the middle of the first delta
    UsageMeter.Metered metered = meter.result();
    assertEquals(new Usage(25, 1, 1200, 3400), metered.usage());
    assertFalse(metered.complete());
  }

  @Test
  void garbageNeverThrows() {
    UsageMeter meter = new AnthropicSseMeter();
    byte[] junk = "data: {\"usage\": {\ndata: not json \"usage\"\n\n\u0000\u00ff".getBytes(UTF_8);
    meter.update(junk, 0, junk.length);
    byte[] huge = new byte[3 << 20];
    java.util.Arrays.fill(huge, (byte) 'x');
    meter.update(huge, 0, huge.length);
    assertEquals(Usage.NONE, meter.result().usage());
    assertFalse(meter.result().complete());
  }

  @Test
  void jsonUsageIsTheTopLevelOneAtEverySplit() {
    byte[] bytes = JSON.getBytes(UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      UsageMeter.Metered metered = feed(JsonUsageMeter.anthropic(), bytes, split);
      assertEquals(JSON_USAGE, metered.usage(), "split " + split);
      assertTrue(metered.complete());
    }
  }

  @Test
  void truncatedOrMalformedJsonNeverThrows() {
    byte[] bytes = JSON.getBytes(UTF_8);
    UsageMeter cut = JsonUsageMeter.anthropic();
    cut.update(bytes, 0, JSON.indexOf("\"usage\":{\"input_tokens\":12") + 30);
    assertEquals(new Usage(12, 0, 0, 0), cut.result().usage());

    UsageMeter malformed = JsonUsageMeter.anthropic();
    byte[] bad = "{\"usage\":{\"input_tokens\":5}}} trailing".getBytes(UTF_8);
    malformed.update(bad, 0, bad.length);
    assertEquals(new Usage(5, 0, 0, 0), malformed.result().usage());
  }

  @Test
  void negativeCountsAreIgnoredAndUsageCutInsideIsIncomplete() {
    byte[] negative = "{\"usage\":{\"input_tokens\":-5,\"output_tokens\":7}}".getBytes(UTF_8);
    UsageMeter meter = JsonUsageMeter.anthropic();
    meter.update(negative, 0, negative.length);
    assertEquals(new Usage(0, 7, 0, 0), meter.result().usage());
    assertTrue(meter.result().complete());

    byte[] cut = "{\"usage\":{\"input_tokens\":5,\"output".getBytes(UTF_8);
    UsageMeter truncated = JsonUsageMeter.anthropic();
    truncated.update(cut, 0, cut.length);
    assertEquals(new Usage(5, 0, 0, 0), truncated.result().usage());
    assertFalse(truncated.result().complete(), "the usage object never closed");
  }

  @Test
  void gzipBodiesAreMeteredFromTheirOwnCopy() throws Exception {
    for (Supplier<UsageMeter> meter :
        java.util.List.<Supplier<UsageMeter>>of(
            AnthropicSseMeter::new, JsonUsageMeter::anthropic)) {
      boolean sse = meter.get() instanceof AnthropicSseMeter;
      byte[] gzipped = gzip((sse ? STREAM : JSON).getBytes(UTF_8));
      Usage expected = sse ? STREAM_USAGE : JSON_USAGE;
      for (int split = 0; split <= gzipped.length; split += 7) {
        assertEquals(
            expected, feed(new GzipMeter(meter.get()), gzipped, split).usage(), "split " + split);
      }
    }
  }

  @Test
  void gzipWithOptionalHeaderFieldsAndGarbage() throws Exception {
    byte[] plain = JSON.getBytes(UTF_8);
    byte[] deflated = gzip(plain);
    // Rebuild with FEXTRA + FNAME + FCOMMENT + FHCRC set.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3});
    out.write(new byte[] {3, 0, 'a', 'b', 'c'});
    out.write("name.json\0".getBytes(UTF_8));
    out.write("a comment\0".getBytes(UTF_8));
    out.write(new byte[] {0x12, 0x34});
    out.write(deflated, 10, deflated.length - 10);
    byte[] withFields = out.toByteArray();
    for (int split = 0; split <= withFields.length; split++) {
      assertEquals(
          JSON_USAGE, feed(new GzipMeter(JsonUsageMeter.anthropic()), withFields, split).usage());
    }
    UsageMeter notGzip = new GzipMeter(JsonUsageMeter.anthropic());
    notGzip.update(plain, 0, plain.length);
    assertEquals(Usage.NONE, notGzip.result().usage());
  }

  static byte[] gzip(byte[] plain) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(plain);
    }
    return out.toByteArray();
  }
}
