package dev.llmproxy.core.internal.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.json.Json;
import java.io.IOException;

/**
 * The few facts the engine needs from a JSON request body, read with a streaming parser that also
 * proves the body is well-formed JSON. The body itself is forwarded untouched.
 *
 * @param model the top-level {@code model}, or {@code null}
 * @param stream the top-level {@code stream} flag
 * @param maxTokens the top-level {@code max_tokens} (or OpenAI's {@code
 *     max_completion_tokens}/{@code max_output_tokens}), or -1 when absent or unreadable
 * @param json whether the body was a JSON document
 */
public record RequestPeek(String model, boolean stream, long maxTokens, boolean json) {
  public static final RequestPeek NONE = new RequestPeek(null, false, -1, false);

  /** No model produces more output than this; a larger max_tokens is refused (400). */
  static final long MAX_TOKENS_CEILING = 10_000_000;

  /** Peeks at {@code body} when {@code contentType} is JSON; 400 if it is not well-formed. */
  public static RequestPeek of(byte[] body, String contentType) throws ProxyError {
    if (body.length == 0 || contentType == null || !isJson(contentType)) {
      return NONE;
    }
    String model = null;
    boolean stream = false;
    long maxTokens = -1;
    boolean unreadableMaxTokens = false;
    try (JsonParser parser = Json.FACTORY.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.START_OBJECT) {
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          JsonToken value = parser.nextToken();
          switch (field) {
            case "model" -> model = value == JsonToken.VALUE_STRING ? parser.getText() : model;
            case "stream" -> stream = value == JsonToken.VALUE_TRUE;
            case "max_tokens", "max_completion_tokens", "max_output_tokens" -> {
              if (value == JsonToken.VALUE_NUMBER_INT) {
                maxTokens = parser.getLongValue();
                if (maxTokens < 0 || maxTokens > MAX_TOKENS_CEILING) {
                  throw ProxyError.badRequest(
                      "Field '" + field + "' must be between 0 and " + MAX_TOKENS_CEILING + ".");
                }
              } else if (value != JsonToken.VALUE_NULL) {
                unreadableMaxTokens = true; // a non-integer: reserve the default worst case
              }
            }
            default -> {}
          }
          parser.skipChildren(); // no-op for scalars; skips (and validates) nested values
        }
        if (token != JsonToken.END_OBJECT) {
          throw new IOException("unexpected token " + token);
        }
      } else {
        parser.skipChildren();
      }
      if (parser.nextToken() != null) {
        throw new IOException("trailing content after the JSON value");
      }
    } catch (IOException e) {
      throw ProxyError.badRequest("The request body is not valid JSON.");
    }
    return new RequestPeek(model, stream, unreadableMaxTokens ? -1 : maxTokens, true);
  }

  private static boolean isJson(String contentType) {
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.equalsIgnoreCase("application/json") || mediaType.endsWith("+json");
  }
}
