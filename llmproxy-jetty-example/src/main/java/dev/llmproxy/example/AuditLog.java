package dev.llmproxy.example;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.ProxyListener;
import dev.llmproxy.api.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Appends one JSON object per exchange to {@code {data dir}/audit.jsonl} (docs/budgets.md, "Audit
 * log"): who, what, how it ended, how long, usage and cost. No secrets, no bodies. A batch of lines
 * is written with one call and flushed; a crash loses at most the events still queued for it.
 */
final class AuditLog implements ProxyListener, AutoCloseable {
  static final String FILE_NAME = "audit.jsonl";
  private static final JsonFactory JSON = new JsonFactory();

  private final OutputStream out;

  AuditLog(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // created concurrently
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
    }
    this.out = Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  @Override
  public void onExchange(ProxyEvent event) {
    write(List.of(event));
  }

  /** Appends one line per event with one write and one flush. */
  void write(List<ProxyEvent> events) {
    ByteArrayOutputStream lines = new ByteArrayOutputStream(384 * events.size());
    for (ProxyEvent event : events) {
      lines.writeBytes(line(event));
    }
    synchronized (out) {
      try {
        lines.writeTo(out);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // isolated by the engine; logged there
      }
    }
  }

  static byte[] line(ProxyEvent event) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(384);
    try (JsonGenerator g = JSON.createGenerator(buffer)) {
      g.writeStartObject();
      g.writeStringField("ts", event.timestamp().toString());
      g.writeStringField("principal", event.principalId().orElse(null));
      g.writeStringField("token_id", event.tokenId().orElse(null));
      if (event.team().isPresent()) {
        g.writeStringField("team", event.team().get());
      }
      g.writeStringField("provider", event.provider().orElse(null));
      g.writeStringField("method", event.method());
      g.writeStringField("path", event.path());
      g.writeStringField("model", event.model().orElse(null));
      g.writeNumberField("status", event.status());
      g.writeStringField("outcome", event.outcome().wireName());
      g.writeNumberField("latency_ms", event.latency().toMillis());
      if (event.timeToFirstByte().isPresent()) {
        g.writeNumberField("ttfb_ms", event.timeToFirstByte().get().toMillis());
      } else {
        g.writeNullField("ttfb_ms");
      }
      g.writeNumberField("overhead_ms", BigDecimal.valueOf(event.overhead().toNanos() / 1000, 3));
      Usage usage = event.usage();
      g.writeObjectFieldStart("usage");
      g.writeNumberField("input_tokens", usage.inputTokens());
      g.writeNumberField("output_tokens", usage.outputTokens());
      g.writeNumberField("cache_creation_input_tokens", usage.cacheCreationInputTokens());
      g.writeNumberField("cache_read_input_tokens", usage.cacheReadInputTokens());
      g.writeEndObject();
      g.writeNumberField(
          "cost_usd", BigDecimal.valueOf(event.costNanoUsd(), 9).stripTrailingZeros());
      g.writeBooleanField("estimated", event.costEstimated());
      g.writeBooleanField("overshoot", event.overshoot());
      if (event.reclaimed()) {
        g.writeBooleanField("reclaimed", true);
      }
      g.writeStringField("credential_source", event.credentialSource().orElse(null));
      g.writeStringField("member", event.member().orElse(null));
      g.writeNumberField("tries", event.tries());
      if (event.modelAlias().isPresent()) {
        g.writeStringField("model_alias", event.modelAlias().get());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    buffer.write('\n');
    return buffer.toByteArray();
  }

  @Override
  public void close() throws IOException {
    synchronized (out) {
      out.close();
    }
  }
}
