package dev.llmproxy.core.internal.http;

import dev.llmproxy.api.Headers;

/** What a message's {@code Content-Type} says about its body. */
public final class ContentTypes {
  private static final String EVENT_STREAM = "text/event-stream";

  private ContentTypes() {}

  /** Whether the body is server-sent events; media types are case-insensitive (RFC 9110). */
  public static boolean isEventStream(Headers headers) {
    String type = headers.first("content-type").orElse("");
    return type.regionMatches(true, 0, EVENT_STREAM, 0, EVENT_STREAM.length());
  }
}
