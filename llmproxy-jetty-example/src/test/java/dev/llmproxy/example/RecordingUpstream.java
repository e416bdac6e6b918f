package dev.llmproxy.example;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * An upstream that answers every request 200 with a marker header and records each body. Jetty
 * rather than MockWebServer, which writes an answer's head and body separately and so costs about
 * 40 ms a request in Nagle's and delayed ACK's dance: too slow for hundreds of requests.
 */
final class RecordingUpstream implements AutoCloseable {
  static final String MARK = "from-the-recording-upstream";

  private final Server server = new Server();
  private final AtomicInteger count = new AtomicInteger();
  private final BlockingQueue<byte[]> bodies = new LinkedBlockingQueue<>();

  RecordingUpstream() throws Exception {
    // Whatever the proxy forwards reaches the handler: a path Jetty would refuse by default
    // (such as an encoded '%') would otherwise come back as Jetty's 400, unmarked.
    org.eclipse.jetty.server.HttpConfiguration http =
        new org.eclipse.jetty.server.HttpConfiguration();
    http.setUriCompliance(org.eclipse.jetty.http.UriCompliance.UNSAFE);
    ServerConnector connector =
        new ServerConnector(server, new org.eclipse.jetty.server.HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            ByteBuffer body = Content.Source.asByteBuffer(request);
            byte[] bytes = new byte[body.remaining()];
            body.get(bytes);
            count.incrementAndGet();
            bodies.add(bytes);
            byte[] answer = AnthropicFixtures.MESSAGE_JSON.getBytes(StandardCharsets.UTF_8);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put("x-request-id", MARK);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.length);
            response.write(true, ByteBuffer.wrap(answer), callback);
            return true;
          }
        });
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/";
  }

  /** Requests received so far; counted before the answer is written. */
  int count() {
    return count.get();
  }

  /** Forgets the bodies received so far. */
  void clear() {
    bodies.clear();
  }

  /** The body of the next request received, in order. */
  byte[] nextBody() throws InterruptedException {
    byte[] body = bodies.poll(5, TimeUnit.SECONDS);
    if (body == null) {
      throw new AssertionError("no request reached the upstream within 5 s");
    }
    return body;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
