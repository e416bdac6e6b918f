package dev.llmproxy.core.internal.metering;

import dev.llmproxy.api.Headers;
import dev.llmproxy.core.internal.http.ContentTypes;
import java.util.Locale;
import java.util.function.Supplier;

/** Picks a provider's meter by the response's content type and encoding. */
public final class Meters {
  private Meters() {}

  public static UsageMeter forResponse(
      Headers headers, Supplier<UsageMeter> sse, Supplier<UsageMeter> json) {
    String type = headers.first("content-type").orElse("").toLowerCase(Locale.ROOT);
    UsageMeter meter;
    if (ContentTypes.isEventStream(headers)) {
      meter = sse.get();
    } else if (type.startsWith("application/json") || type.contains("+json")) {
      meter = json.get();
    } else {
      return UsageMeter.NONE;
    }
    String encoding = headers.first("content-encoding").orElse("identity").trim();
    if (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip")) {
      return new GzipMeter(meter);
    }
    return encoding.equalsIgnoreCase("identity") ? meter : UsageMeter.NONE;
  }
}
