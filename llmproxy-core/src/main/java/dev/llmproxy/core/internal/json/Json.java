package dev.llmproxy.core.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The engine's one Jackson streaming factory, and small JSON helpers. */
public final class Json {
  /**
   * Bodies are bounded by the proxy's own limit, so Jackson's string-length cap is lifted. Parser
   * buffers are recycled through a shared pool, not a thread-local one: a host may run exchanges on
   * virtual threads, each used once, which a thread-local pool would never hand a buffer back to.
   */
  public static final JsonFactory FACTORY =
      JsonFactory.builder()
          .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
          .build();

  private Json() {}

  /** A JSON object writer into a fresh byte array. */
  public interface ObjectWriter {
    void write(JsonGenerator generator) throws IOException;
  }

  public static byte[] write(ObjectWriter writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      writer.write(generator);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // impossible: writing to memory
    }
    return out.toByteArray();
  }
}
