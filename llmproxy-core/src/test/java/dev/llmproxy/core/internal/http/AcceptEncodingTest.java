package dev.llmproxy.core.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.api.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptEncodingTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "gzip, deflate, br, zstd | gzip",
        "br                      | identity",
        "zstd;q=1.0, gzip;q=0.5  | gzip",
        "gzip;q=0, br            | identity",
        "GZIP                    | gzip",
        "identity                | identity"
      })
  void onlyEncodingsTheMeterReadsAreForwarded(String clientValue, String forwarded) {
    Headers.Builder headers = Headers.builder().add("accept-encoding", clientValue.trim());
    AcceptEncoding.narrow(headers);
    assertEquals(forwarded.trim(), headers.first("accept-encoding").orElseThrow());
  }

  @Test
  void noHeaderIsForwardedAsIdentity() {
    Headers.Builder headers = Headers.builder();
    AcceptEncoding.narrow(headers);
    assertEquals(java.util.List.of("identity"), headers.values("accept-encoding"));
  }
}
