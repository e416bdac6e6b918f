package dev.llmproxy.core.internal.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmproxy.core.internal.http.ProxyError;
import dev.llmproxy.core.internal.json.Json;
import dev.llmproxy.core.internal.json.Utf8;
import java.io.IOException;

/**
 * The few facts the engine needs from a JSON request body, read with a streaming parser that also
 * proves the body is well-formed JSON in well-formed UTF-8 (RFC 8259 section 8.1: no byte order
 * mark, no other encoding). The body itself is forwarded untouched, so whatever the peek accepts
 * the upstream reads exactly as the peek did.
 *
 * @param model the top-level {@code model}, or {@code null}
 * @param stream the top-level {@code stream} flag
 * @param maxTokens the top-level {@code max_tokens} (or OpenAI's {@code
 *     max_completion_tokens}/{@code max_output_tokens}), or -1 when absent or unreadable
 * @param json whether the body was a JSON document
 * @param choices how many answers one request generates: OpenAI's {@code n} or legacy {@code
 *     best_of} (each is billed), 1 when absent
 */
public record RequestPeek(String model, boolean stream, long maxTokens, boolean json, int choices) {
  public static final RequestPeek NONE = new RequestPeek(null, false, -1, false, 1);

  /** OpenAI's own limit on {@code n}; more would make the worst case unbounded. */
  static final int MAX_CHOICES = 128;

  /** No model produces more output than this; a larger max_tokens is refused (400). */
  static final long MAX_TOKENS_CEILING = 10_000_000;

  /** Peeks at {@code body} when {@code contentType} is JSON; 400 if it is not well-formed. */
  public static RequestPeek of(byte[] body, String contentType) throws ProxyError {
    if (body.length == 0 || contentType == null || !isJson(contentType)) {
      return NONE;
    }
    checkEncoding(body);
    String model = null;
    boolean stream = false;
    long maxTokens = -1;
    boolean unreadableMaxTokens = false;
    int choices = 1;
    try (JsonParser parser = Json.FACTORY.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new IOException("no JSON value, only whitespace");
      }
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
            case "n", "best_of" -> {
              if (value == JsonToken.VALUE_NUMBER_INT) {
                long n = parser.getLongValue();
                if (n < 1 || n > MAX_CHOICES) {
                  throw ProxyError.badRequest(
                      "Field '" + field + "' must be between 1 and " + MAX_CHOICES + ".");
                }
                choices = Math.max(choices, (int) n);
              } else if (value != JsonToken.VALUE_NULL) { // 2.0, "2": the upstream may coerce it
                throw ProxyError.badRequest("Field '" + field + "' must be an integer.");
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
    return new RequestPeek(model, stream, unreadableMaxTokens ? -1 : maxTokens, true, choices);
  }

  /**
   * Refuses a body that is not UTF-8 JSON text before the parser sees it: {@link Utf8} over every
   * byte (names, values, nesting, the end), then what Jackson would otherwise accept on its own
   * terms. It skips a UTF-8 byte order mark, which RFC 8259 forbids a sender to add, and reads a
   * body with a NUL among its first four bytes as UTF-16 or UTF-32 (UTF-8 JSON has no NUL byte: a
   * later one is an unescaped control character, which the parser refuses). Refusing here is
   * cheaper for the caller than the upstream's 400, which would count against its budget.
   */
  private static void checkEncoding(byte[] body) throws ProxyError {
    int malformed = Utf8.firstMalformed(body);
    if (malformed >= 0) {
      throw ProxyError.badRequest(
          "The request body is not valid UTF-8 (byte " + malformed + " of " + body.length + ").");
    }
    if (body.length >= 3
        && body[0] == (byte) 0xEF
        && body[1] == (byte) 0xBB
        && body[2] == (byte) 0xBF) {
      throw ProxyError.badRequest("The request body starts with a byte order mark; JSON must not.");
    }
    for (int i = 0; i < Math.min(4, body.length); i++) {
      if (body[i] == 0) {
        throw ProxyError.badRequest("The request body is not UTF-8 JSON (a NUL byte).");
      }
    }
  }

  private static boolean isJson(String contentType) {
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.equalsIgnoreCase("application/json") || mediaType.endsWith("+json");
  }
}
