/**
 * The llmproxy engine. Start at {@link dev.llmproxy.core.LlmProxy}: built once from the SPI
 * implementations, it runs each {@link dev.llmproxy.core.ProxyExchange} through the pipeline route
 * → authenticate → read body → reserve → credential → forward → relay → settle.
 *
 * <p>Container adapters (the servlet filter) implement {@link dev.llmproxy.core.ProxyExchange};
 * nothing in this package knows about servlets.
 */
package dev.llmproxy.core;
