package dev.llmproxy.servlet;

/** The pipelining contract on Jetty 12 with its disconnect watch. */
class JettyPipeliningTest extends PipeliningContract {
  @Override
  protected Container newContainer() {
    return new JettyAdapterTest.Jetty();
  }
}
