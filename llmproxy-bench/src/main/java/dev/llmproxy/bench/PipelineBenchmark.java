package dev.llmproxy.bench;

import dev.llmproxy.api.Headers;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.UpstreamCall;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.api.UpstreamResponse;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.ProxyExchange;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.ledger.InMemoryBudgetLedger;
import dev.llmproxy.core.tokens.IssuedTokens;
import dev.llmproxy.core.tokens.TokenSpec;
import dev.llmproxy.core.tokens.TokenStores;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One whole non-streaming exchange through the public API on the caller's thread (an inline
 * executor), with the network taken out: an issued token resolved through its cache, tier and scope
 * checks, the request peek, an exact in-memory ledger with a spend budget, the shared credential,
 * header filtering both ways, metering the JSON answer, settling and the event. The upstream is an
 * in-memory stand-in that answers like Anthropic.
 *
 * <p>With {@code -prof gc}, {@code gc.alloc.rate.norm} is the allocation per exchange; the 32 MiB
 * case shows how much a large body costs beyond the body itself.
 *
 * <pre>{@code
 * java -jar llmproxy-bench/target/benchmarks.jar PipelineBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgs = {"-Xms1g", "-Xmx1g"})
public class PipelineBenchmark {
  private static final byte[] RESPONSE =
      ("{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\","
              + "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":"
              + "\"Hello from the stand-in.\"}],\"stop_reason\":\"end_turn\","
              + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":8,"
              + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}")
          .getBytes(StandardCharsets.UTF_8);
  private static final Headers RESPONSE_HEADERS =
      Headers.of(
          "date", "Mon, 23 Nov 2026 10:00:00 GMT",
          "content-type", "application/json",
          "content-length", Integer.toString(RESPONSE.length),
          "connection", "keep-alive",
          "request-id", "req_011CVQ2cYHm8hZ5cKn6EXAMPLE",
          "anthropic-organization-id", "00000000-0000-0000-0000-000000000000",
          "anthropic-ratelimit-requests-limit", "4000",
          "anthropic-ratelimit-requests-remaining", "3999",
          "anthropic-ratelimit-requests-reset", "2026-11-23T10:00:01Z",
          "anthropic-ratelimit-input-tokens-limit", "400000",
          "anthropic-ratelimit-input-tokens-remaining", "400000",
          "anthropic-ratelimit-output-tokens-limit", "80000",
          "anthropic-ratelimit-output-tokens-remaining", "80000",
          "via", "1.1 google",
          "cf-ray", "8f0c0c0c0c0c0c0c-SJC");

  /** Request body size: a short prompt, or the largest body the proxy takes by default. */
  @Param({"1024", "33554432"})
  public int bodyBytes;

  private LlmProxy proxy;
  private Headers requestHeaders;
  private byte[] body;

  @Setup
  public void setUp() {
    IssuedTokens tokens = IssuedTokens.builder(TokenStores.inMemory()).build();
    TokenSpec spec = TokenSpec.user("bench", "bench");
    spec =
        new TokenSpec(
            spec.user(),
            spec.kind(),
            spec.tier(),
            spec.expiresAt(),
            OptionalLong.empty(),
            OptionalLong.of(Long.MAX_VALUE / 2), // a spend budget, so the ledger checks it
            spec.models(),
            spec.providers());
    String token = tokens.issue(spec).token().reveal();
    Tiers tiers = Tiers.defaults().withRate("bench", Integer.MAX_VALUE);
    proxy =
        LlmProxy.builder()
            .tokenResolver(tokens)
            .credentialStore(
                SharedCredentialStore.empty()
                    .withApiKey(ProviderId.ANTHROPIC, "sk-ant-api03-benchmark-key"))
            .budgetLedger(new InMemoryBudgetLedger())
            .tiers(tiers)
            .upstreamClient(new StandIn())
            .addListener(event -> {})
            .executor(Runnable::run) // the caller's thread: measure the exchange, not a hand-over
            .build();
    body = body(bodyBytes);
    requestHeaders =
        Headers.of(
            "host", "proxy.example:8080",
            "accept", "application/json",
            "accept-encoding", "gzip, deflate, br",
            "anthropic-version", "2023-06-01",
            "x-api-key", token,
            "content-type", "application/json",
            "user-agent", "claude-cli/2.0.0 (external, cli)",
            "x-app", "cli",
            "content-length", Integer.toString(body.length),
            "connection", "keep-alive");
  }

  private static byte[] body(int size) {
    String head =
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"";
    String tail = "\"}]}";
    byte[] bytes = new byte[size];
    java.util.Arrays.fill(bytes, (byte) 'a');
    System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, head.length());
    System.arraycopy(
        tail.getBytes(StandardCharsets.US_ASCII), 0, bytes, size - tail.length(), tail.length());
    return bytes;
  }

  @Benchmark
  public int exchange() {
    BenchExchange io = new BenchExchange(requestHeaders, body);
    proxy.handle(io);
    return io.status;
  }

  /** The servlet side, in memory: the body comes from an array, the answer goes nowhere. */
  private static final class BenchExchange implements ProxyExchange {
    private final Headers headers;
    private final byte[] body;
    int status;

    BenchExchange(Headers headers, byte[] body) {
      this.headers = headers;
      this.body = body;
    }

    @Override
    public String method() {
      return "POST";
    }

    @Override
    public String path() {
      return "/anthropic/v1/messages";
    }

    @Override
    public String rawQuery() {
      return null;
    }

    @Override
    public Headers requestHeaders() {
      return headers;
    }

    @Override
    public long requestContentLength() {
      return body.length;
    }

    @Override
    public InputStream requestBody() {
      return new ByteArrayInputStream(body);
    }

    @Override
    public void startResponse(int status, Headers headers) {
      this.status = status;
    }

    @Override
    public boolean isResponseStarted() {
      return status != 0;
    }

    @Override
    public OutputStream responseBody() {
      return OutputStream.nullOutputStream();
    }

    @Override
    public void onClientGone(Runnable onGone) {}

    @Override
    public void complete() {}

    @Override
    public void abort() {}
  }

  /** Answers every call at once with an Anthropic-like message; the request body is not read. */
  private static final class StandIn implements UpstreamClient {
    @Override
    public UpstreamCall newCall(dev.llmproxy.api.UpstreamRequest request) {
      return new UpstreamCall() {
        @Override
        public UpstreamResponse execute() {
          return new UpstreamResponse() {
            @Override
            public int status() {
              return 200;
            }

            @Override
            public Headers headers() {
              return RESPONSE_HEADERS;
            }

            @Override
            public InputStream body() {
              return new ByteArrayInputStream(RESPONSE);
            }

            @Override
            public void close() {}
          };
        }

        @Override
        public void cancel() {}

        @Override
        public boolean requestSent() {
          return true;
        }

        @Override
        public boolean isCanceled() {
          return false;
        }
      };
    }
  }
}
