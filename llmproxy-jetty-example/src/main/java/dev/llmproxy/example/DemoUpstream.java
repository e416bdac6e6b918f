package dev.llmproxy.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A fake Anthropic Messages API on loopback for {@code serve --demo}: it answers {@code POST
 * /v1/messages} by echoing the last user message, as JSON or as an SSE stream with one word per
 * event, so a newcomer can watch the whole flow without an API key or network. Not a test double
 * for the library's own tests; those use MockWebServer.
 */
final class DemoUpstream implements AutoCloseable {
  /** The shared key the demo proxy sends; the fake upstream accepts only it. */
  static final String DEMO_KEY = "sk-ant-demo-not-a-real-key";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Server server = new Server();

  /** Starts on a free loopback port. */
  static DemoUpstream start() throws Exception {
    DemoUpstream demo = new DemoUpstream();
    ServerConnector connector = new ServerConnector(demo.server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    demo.server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new MessagesServlet()), "/v1/messages");
    demo.server.setHandler(context);
    demo.server.start();
    return demo;
  }

  /** The base URL to point the proxy's Anthropic upstream at. */
  String baseUrl() {
    return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  private static final class MessagesServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      if (!DEMO_KEY.equals(request.getHeader("x-api-key"))) {
        send(
            response,
            401,
            "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"invalid x-api-key\"}}");
        return;
      }
      JsonNode body = MAPPER.readTree(request.getInputStream());
      String model = body.path("model").asText("claude-demo");
      String reply = "You said: " + lastUserText(body);
      int inputTokens = Math.max(1, reply.length() / 4);
      String[] words = reply.split(" ");
      response.setHeader("request-id", "req_demo_" + System.nanoTime());
      if (body.path("stream").asBoolean(false)) {
        stream(response, model, words, inputTokens);
      } else {
        ObjectNode message = message(model, inputTokens, words.length);
        message.putArray("content").addObject().put("type", "text").put("text", reply);
        message.put("stop_reason", "end_turn");
        send(response, 200, MAPPER.writeValueAsString(message));
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
      message
          .putObject("usage")
          .put("input_tokens", inputTokens)
          .put("output_tokens", outputTokens);
      return message;
    }

    private static void stream(
        HttpServletResponse response, String model, String[] words, int inputTokens)
        throws IOException {
      response.setStatus(200);
      response.setContentType("text/event-stream; charset=utf-8");
      OutputStream out = response.getOutputStream();
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

    private static void send(HttpServletResponse response, int status, String json)
        throws IOException {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      response.setStatus(status);
      response.setContentType("application/json");
      response.setContentLength(bytes.length);
      response.getOutputStream().write(bytes);
    }
  }
}
