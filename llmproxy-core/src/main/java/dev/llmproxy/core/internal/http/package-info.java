/**
 * HTTP mechanics the stages share: reading a bounded body, copying a response body, which headers
 * cross, content types, and {@code ProxyError}, the one mapping of failures to statuses. Internal:
 * not API.
 */
package dev.llmproxy.core.internal.http;
