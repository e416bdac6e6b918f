/**
 * Usage metering: meters that read token usage from a copy of each relayed chunk (Anthropic and
 * OpenAI, JSON and server-sent events, gzip), and {@code Charges}, which prices what an exchange
 * cost. Internal: not API.
 */
package dev.llmproxy.core.internal.metering;
