package dev.llmproxy.servlet;

import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.jettyclient.JettyUpstreamClient;
import org.junit.jupiter.api.AfterAll;

/**
 * The adapter contract on Jetty with the non-blocking relay: Jetty's HttpClient upstream, servlet
 * non-blocking output, no thread held while a stream waits.
 */
class JettyNonBlockingAdapterTest extends JettyAdapterTest {
  private static final JettyUpstreamClient UPSTREAM = JettyUpstreamClient.create();

  @Override
  protected UpstreamClient nonBlockingUpstream() {
    return UPSTREAM;
  }

  @AfterAll
  static void closeUpstreamClient() {
    UPSTREAM.close();
  }
}
