package dev.llmproxy.core;

/**
 * A complete error response in a provider's envelope, for a host to send when its container refuses
 * a proxy-route request before the filter runs (a malformed URI, oversized headers).
 *
 * @param status the HTTP status
 * @param contentType always {@code application/json}
 * @param body the envelope's bytes
 */
public record ErrorResponse(int status, String contentType, byte[] body) {}
