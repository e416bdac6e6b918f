/**
 * Spring Boot auto-configuration for llmproxy: {@link
 * dev.llmproxy.spring.LlmProxyAutoConfiguration} and its {@link
 * dev.llmproxy.spring.LlmProxyProperties}.
 */
package dev.llmproxy.spring;
