package dev.llmproxy.core.internal.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmproxy.core.internal.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

/**
 * Rewrites a JSON request body's top-level {@code model} from an alias to the real model, leaving
 * every other byte as the client sent it. Nested {@code model} fields and non-string values are
 * untouched. Assumes the body already passed {@link RequestPeek} (well-formed UTF-8 JSON).
 */
public final class ModelAliases {
  private final Map<String, String> aliases;

  public ModelAliases(Map<String, String> aliases) {
    this.aliases = Map.copyOf(aliases);
  }

  /** The real model {@code model} stands for, or {@code null} when it is no alias. */
  public String resolve(String model) {
    return model == null ? null : aliases.get(model);
  }

  /**
   * {@code body} with each top-level string {@code model} that is an alias replaced by its model;
   * {@code body} itself when there is none.
   */
  public byte[] rewrite(byte[] body) {
    ByteArrayOutputStream out = null;
    int copied = 0;
    try (JsonParser parser = Json.FACTORY.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return body;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        boolean isModel = parser.currentName().equals("model");
        JsonToken value = parser.nextToken();
        if (isModel && value == JsonToken.VALUE_STRING) {
          String real = aliases.get(parser.getText());
          if (real != null) {
            int start = (int) parser.currentTokenLocation().getByteOffset();
            int end = endOfString(body, start);
            out = out != null ? out : new ByteArrayOutputStream(body.length + 32);
            out.write(body, copied, start - copied);
            out.writeBytes(quoted(real));
            copied = end;
          }
        }
        parser.skipChildren();
      }
    } catch (IOException e) {
      return body; // not the JSON the peek accepted: leave it to the upstream
    }
    if (out == null) {
      return body;
    }
    out.write(body, copied, body.length - copied);
    return out.toByteArray();
  }

  /** The offset just past the JSON string that starts with the quote at {@code start}. */
  private static int endOfString(byte[] body, int start) {
    int i = start + 1;
    while (body[i] != '"') {
      i += body[i] == '\\' ? 2 : 1;
    }
    return i + 1;
  }

  private static byte[] quoted(String text) {
    return Json.write(g -> g.writeString(text));
  }
}
