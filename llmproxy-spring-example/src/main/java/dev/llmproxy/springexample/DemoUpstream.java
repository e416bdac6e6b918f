package dev.llmproxy.springexample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A fake Anthropic Messages API on loopback for {@code --demo}: {@code POST /v1/messages} echoes
 * the last user message, as JSON or as an SSE stream with one word per event. Demo only; the tests
 * use MockWebServer.
 */
final class DemoUpstream implements AutoCloseable {
  /** The shared key the demo proxy sends; the fake upstream accepts only it. */
  static final String DEMO_KEY = "sk-ant-demo-not-a-real-key";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(DemoUpstream::daemon);

  private DemoUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/messages", this::messages);
    server.setExecutor(threads);
    server.start();
  }

  /** Starts on a free loopback port. */
  static DemoUpstream start() throws IOException {
    return new DemoUpstream();
  }

  /** The base URL to point the proxy's Anthropic upstream at. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "demo-upstream");
    thread.setDaemon(true);
    return thread;
  }

  private void messages(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!DEMO_KEY.equals(exchange.getRequestHeaders().getFirst("x-api-key"))) {
        send(
            exchange,
            401,
            "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"invalid x-api-key\"}}");
        return;
      }
      JsonNode body = MAPPER.readTree(exchange.getRequestBody());
      String model = body.path("model").asText("claude-demo");
      String reply = "You said: " + lastUserText(body);
      String[] words = reply.split(" ");
      int inputTokens = Math.max(1, reply.length() / 4);
      exchange.getResponseHeaders().add("request-id", "req_demo_" + System.nanoTime());
      if (body.path("stream").asBoolean(false)) {
        stream(exchange, model, words, inputTokens);
      } else {
        ObjectNode message = message(model, inputTokens, words.length);
        message.putArray("content").addObject().put("type", "text").put("text", reply);
        message.put("stop_reason", "end_turn");
        send(exchange, 200, MAPPER.writeValueAsString(message));
      }
    }
  }

  private static String lastUserText(JsonNode body) {
    String text = "(nothing)";
    for (JsonNode message : body.path("messages")) {
      if (!"user".equals(message.path("role").asText())) {
        continue;
      }
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        text = content.asText();
      } else {
        for (JsonNode block : content) {
          if ("text".equals(block.path("type").asText())) {
            text = block.path("text").asText();
          }
        }
      }
    }
    return text;
  }

  private static ObjectNode message(String model, int inputTokens, int outputTokens) {
    ObjectNode message = MAPPER.createObjectNode();
    message.put("id", "msg_demo_" + System.nanoTime());
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", model);
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens);
    return message;
  }

  private static void stream(HttpExchange exchange, String model, String[] words, int inputTokens)
      throws IOException {
    exchange.getResponseHeaders().add("content-type", "text/event-stream; charset=utf-8");
    exchange.sendResponseHeaders(200, 0); // chunked
    OutputStream out = exchange.getResponseBody();
    ObjectNode start = MAPPER.createObjectNode().put("type", "message_start");
    ObjectNode message = message(model, inputTokens, 1);
    message.putArray("content");
    start.set("message", message);
    event(out, "message_start", start.toString());
    event(
        out,
        "content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    for (int i = 0; i < words.length; i++) {
      ObjectNode delta =
          MAPPER.createObjectNode().put("type", "content_block_delta").put("index", 0);
      delta
          .putObject("delta")
          .put("type", "text_delta")
          .put("text", (i == 0 ? "" : " ") + words[i]);
      event(out, "content_block_delta", delta.toString());
      pause();
    }
    event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
    event(
        out,
        "message_delta",
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
            + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":"
            + words.length
            + "}}");
    event(out, "message_stop", "{\"type\":\"message_stop\"}");
  }

  private static void event(OutputStream out, String name, String data) throws IOException {
    out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Spaces the words out so a person can watch them stream. Demo only. */
  private static void pause() throws IOException {
    try {
      TimeUnit.MILLISECONDS.sleep(60);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
