package dev.llmproxy.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BodyReaderTest {
  private final BodyReader reader = new BodyReader(100);

  @Test
  void declaredLengthOverTheLimitFailsWithoutReading() {
    InputStream never =
        new InputStream() {
          @Override
          public int read() {
            throw new AssertionError("must not read");
          }
        };
    ProxyError error = assertThrows(ProxyError.class, () -> reader.read(never, 101));
    assertEquals(413, error.status());
  }

  @Test
  void unknownLengthIsReadUpToTheLimit() throws Exception {
    byte[] exact = new byte[100];
    exact[99] = 7;
    assertArrayEquals(exact, reader.read(new ByteArrayInputStream(exact), -1));
    ProxyError error =
        assertThrows(
            ProxyError.class, () -> reader.read(new ByteArrayInputStream(new byte[101]), -1));
    assertEquals(413, error.status());
  }

  @Test
  void unknownLengthBodiesGrowPastTheInitialBuffer() throws Exception {
    BodyReader large = new BodyReader(1_000_000);
    byte[] body = new byte[300_000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i;
    }
    assertArrayEquals(body, large.read(new ByteArrayInputStream(body), -1));
  }

  @Test
  void shortBodyIsABadRequest() {
    ProxyError error =
        assertThrows(
            ProxyError.class, () -> reader.read(new ByteArrayInputStream(new byte[5]), 10));
    assertEquals(400, error.status());
  }
}
