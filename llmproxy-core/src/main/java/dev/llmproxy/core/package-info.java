/**
 * The llmproxy engine's public face. Start at {@link dev.llmproxy.core.LlmProxy}: built once from
 * the SPI implementations ({@code dev.llmproxy.api}) and a few settings ({@link
 * dev.llmproxy.core.Tiers}, {@link dev.llmproxy.core.PriceTable}, {@link
 * dev.llmproxy.core.AnthropicSettings}, {@link dev.llmproxy.core.OpenAiSettings}, {@link
 * dev.llmproxy.core.CompatibleUpstream}), it runs each {@link dev.llmproxy.core.ProxyExchange}
 * through its stages: authenticate, route, read body, authorize, reserve, credential, forward,
 * respond, settle.
 *
 * <p>Ready-made implementations of the SPI live beside this package: {@code .credentials}, {@code
 * .tokens}, {@code .ledger}. Everything under {@code .internal} is the engine's own and may change
 * in any release; a build rule keeps every other module out of it. Nothing in core knows about
 * servlets.
 */
package dev.llmproxy.core;
