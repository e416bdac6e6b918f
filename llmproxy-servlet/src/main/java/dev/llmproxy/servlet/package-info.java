/**
 * Servlet 6 adapter: {@link dev.llmproxy.servlet.LlmProxyFilter} mounts an {@link
 * dev.llmproxy.core.LlmProxy} in any Jetty, Tomcat or Spring host. No container-specific code.
 */
package dev.llmproxy.servlet;
