package dev.llmproxy.core.internal.metering;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import dev.llmproxy.api.Usage;
import dev.llmproxy.core.internal.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Usage from a JSON response body, read with Jackson's non-blocking parser as the bytes go by, so
 * the body is never buffered: every integer inside the top-level {@code usage} object is handed to
 * {@code onField} with its dotted path below {@code usage} (e.g. {@code input_tokens}, {@code
 * prompt_tokens_details.cached_tokens}); the provider decides what the names mean.
 */
public final class JsonUsageMeter implements UsageMeter {
  private final JsonParser parser;
  private final ByteArrayFeeder feeder;
  private final BiConsumer<String, Long> onField;
  private final Supplier<Usage> usage;

  /** Names of the containers we are in; the root is "". */
  private final List<String> path = new ArrayList<>();

  private String field;
  private boolean seenUsage;
  private String model; // the top-level "model"
  private String finishReason; // "stop_reason", or the first choice's "finish_reason"
  private boolean broken;

  JsonUsageMeter(BiConsumer<String, Long> onField, Supplier<Usage> usage) {
    try {
      this.parser = Json.FACTORY.createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    this.onField = onField;
    this.usage = usage;
  }

  /** A meter for OpenAI's Chat Completions, Responses and Embeddings {@code usage}. */
  public static JsonUsageMeter openAi() {
    OpenAiUsage usage = new OpenAiUsage();
    return new JsonUsageMeter(usage::take, usage::toUsage);
  }

  /** A meter for Anthropic's JSON {@code usage}. */
  public static JsonUsageMeter anthropic() {
    UsageCounts counts = new UsageCounts();
    return new JsonUsageMeter(
        (name, value) -> {
          switch (name) {
            case "input_tokens" -> counts.input = value;
            case "output_tokens" -> counts.output = value;
            case "cache_creation_input_tokens" -> counts.cacheCreation = value;
            case "cache_read_input_tokens" -> counts.cacheRead = value;
            default -> {}
          }
        },
        counts::toUsage);
  }

  @Override
  public void update(byte[] bytes, int offset, int length) {
    if (broken || length == 0) {
      return;
    }
    try {
      feeder.feedInput(bytes, offset, offset + length);
      // Drain everything now: the caller reuses its buffer after this returns.
      JsonToken token;
      while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
        onToken(token);
      }
    } catch (IOException | RuntimeException e) {
      broken = true; // malformed JSON: keep what was read, stop reading
    }
  }

  private void onToken(JsonToken token) throws IOException {
    switch (token) {
      case FIELD_NAME -> field = parser.currentName();
      case START_OBJECT, START_ARRAY -> {
        String name = path.isEmpty() ? "" : field == null ? "[]" : field;
        path.add(name);
        field = null;
      }
      case END_OBJECT, END_ARRAY -> {
        if (path.size() == 2 && "usage".equals(path.get(1)) && token == JsonToken.END_OBJECT) {
          seenUsage = true; // complete only once the whole usage object was read
        }
        if (!path.isEmpty()) {
          path.remove(path.size() - 1);
        }
        field = null;
      }
      case VALUE_NUMBER_INT -> {
        if (field != null && path.size() >= 2 && "usage".equals(path.get(1))) {
          StringBuilder name = new StringBuilder();
          for (int i = 2; i < path.size(); i++) {
            name.append(path.get(i)).append('.');
          }
          long value = parser.getLongValue();
          if (value >= 0) { // a negative count is not usage: ignore it
            onField.accept(name.append(field).toString(), value);
          }
        }
        field = null;
      }
      case VALUE_STRING -> {
        if ("model".equals(field) && path.size() == 1) {
          model = shortText(model);
        } else if ("stop_reason".equals(field) && path.size() == 1) {
          finishReason = shortText(finishReason);
        } else if ("finish_reason".equals(field)
            && path.size() == 3
            && "choices".equals(path.get(1))
            && finishReason == null) {
          finishReason = shortText(null);
        }
        field = null;
      }
      default -> field = null;
    }
  }

  private String shortText(String current) throws IOException {
    String text = parser.getText();
    return text.length() <= 256 ? text : current;
  }

  @Override
  public Metered result() {
    try {
      parser.close(); // its buffers go back to the pool, the names it met to the shared table
    } catch (IOException e) {
      // a byte-array parser holds no stream that could fail to close; the usage read stands
    }
    return new Metered(usage.get(), seenUsage, model, finishReason);
  }
}
