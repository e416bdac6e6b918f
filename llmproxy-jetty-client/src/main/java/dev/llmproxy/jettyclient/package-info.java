/**
 * {@link dev.llmproxy.jettyclient.JettyUpstreamClient}: an upstream client on Jetty 12's {@code
 * HttpClient} whose response bodies are read without blocking a thread.
 */
package dev.llmproxy.jettyclient;
