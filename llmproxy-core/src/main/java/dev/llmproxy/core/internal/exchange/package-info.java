/**
 * The exchange: {@code Engine} builds the list of {@code Stage}s once; each {@code Exchange} runs
 * them over its {@code ExchangeState}, then {@code Relay} streams the answer, {@code ErrorWriter}
 * answers refusals and {@code Settlement} settles. Internal: not API.
 */
package dev.llmproxy.core.internal.exchange;
