package dev.llmproxy.core.internal;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.json.Utf8;
import dev.llmproxy.core.internal.metering.AnthropicSseMeter;
import dev.llmproxy.core.internal.metering.UsageMeter;
import dev.llmproxy.core.internal.provider.AnthropicProfile;
import dev.llmproxy.core.internal.provider.RequestPeek;
import dev.llmproxy.core.internal.provider.Route;
import dev.llmproxy.core.internal.provider.Router;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-request work of the pipeline, stage by stage. It measures internal classes, so it lives
 * in core's test tree rather than in {@code llmproxy-bench}; run it as docs/performance.md shows,
 * with {@code -prof gc} for allocation per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class HotPathBenchmark {
  private AnthropicProfile profile;
  private Router router;
  private Headers clientHeaders;
  private Headers upstreamHeaders;
  private UpstreamCredential credential;
  private byte[] requestBody;
  private byte[][] streamEvents;

  @Setup
  public void setUp() {
    profile = new AnthropicProfile("https://api.anthropic.com");
    router = new Router(Map.of("anthropic", profile), profile);
    credential = new UpstreamCredential.ApiKey(Secret.of("sk-ant-benchmark-key"), "shared_key");
    // What Claude Code sends, roughly.
    clientHeaders =
        Headers.of(
            "host", "proxy.example:8080",
            "accept", "application/json",
            "accept-encoding", "gzip, deflate, br",
            "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14",
            "anthropic-dangerous-direct-browser-access", "true",
            "anthropic-version", "2023-06-01",
            "authorization", "Bearer lp_sk_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "content-type", "application/json",
            "user-agent", "claude-cli/2.0.0 (external, cli)",
            "x-app", "cli",
            "x-stainless-lang", "js",
            "x-stainless-retry-count", "0",
            "content-length", "1024",
            "connection", "keep-alive");
    upstreamHeaders =
        Headers.of(
            "date", "Mon, 23 Nov 2026 10:00:00 GMT",
            "content-type", "text/event-stream; charset=utf-8",
            "transfer-encoding", "chunked",
            "connection", "keep-alive",
            "cache-control", "no-cache",
            "anthropic-ratelimit-requests-limit", "4000",
            "anthropic-ratelimit-requests-remaining", "3999",
            "anthropic-ratelimit-requests-reset", "2026-11-23T10:00:01Z",
            "anthropic-ratelimit-tokens-limit", "400000",
            "anthropic-ratelimit-tokens-remaining", "399000",
            "request-id", "req_011CbenchmarkRequestId",
            "anthropic-organization-id", "00000000-0000-0000-0000-000000000000",
            "via", "1.1 google",
            "cf-cache-status", "DYNAMIC",
            "server", "cloudflare");
    requestBody =
        ("{\"model\":\"claude-sonnet-4-5-20250929\",\"max_tokens\":32000,\"stream\":true,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"You are Claude Code.\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\""
                + "x".repeat(700)
                + "\"}]}],\"metadata\":{\"user_id\":\"user_abc\"}}")
            .getBytes(StandardCharsets.UTF_8);
    streamEvents = new byte[200][];
    streamEvents[0] =
        ("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                + "\"content\":[],\"usage\":{\"input_tokens\":25,\"cache_read_input_tokens\":1000,"
                + "\"output_tokens\":1}}}\n\n")
            .getBytes(StandardCharsets.UTF_8);
    for (int i = 1; i < 198; i++) {
      streamEvents[i] =
          ("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                  + "\"delta\":{\"type\":\"text_delta\",\"text\":\"token "
                  + i
                  + " \"}}\n\n")
              .getBytes(StandardCharsets.UTF_8);
    }
    streamEvents[198] =
        ("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                + "\"end_turn\"},\"usage\":{\"output_tokens\":197}}\n\n")
            .getBytes(StandardCharsets.UTF_8);
    streamEvents[199] =
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
            .getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public Headers requestHeaderFilteringAndCredential() {
    return profile.upstreamHeaders(clientHeaders, credential);
  }

  @Benchmark
  public Headers responseHeaderFiltering() {
    Headers.Builder out = Headers.builder();
    profile.copyResponseHeaders(upstreamHeaders, out);
    return out.build();
  }

  @Benchmark
  public Route routeParsing() throws ProxyError {
    return router.resolve("/anthropic/v1/messages").checked();
  }

  @Benchmark
  public RequestPeek requestPeek() throws ProxyError {
    return RequestPeek.of(requestBody, "application/json");
  }

  /** The strict UTF-8 pass alone, which {@link #requestPeek} includes. */
  @Benchmark
  public int requestUtf8Check() {
    return Utf8.firstMalformed(requestBody);
  }

  /** A 200-event stream, one upstream chunk per event, as the relay hands it over. */
  @Benchmark
  public UsageMeter.Metered meterA200EventStream() {
    UsageMeter meter = new AnthropicSseMeter();
    for (byte[] event : streamEvents) {
      meter.update(event, 0, event.length);
    }
    return meter.result();
  }
}
