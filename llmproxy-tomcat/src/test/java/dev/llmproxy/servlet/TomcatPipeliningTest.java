package dev.llmproxy.servlet;

/** The pipelining contract on Tomcat 11 with its disconnect watch. */
class TomcatPipeliningTest extends PipeliningContract {
  @Override
  protected Container newContainer() {
    return new TomcatAdapterTest.EmbeddedTomcat();
  }
}
