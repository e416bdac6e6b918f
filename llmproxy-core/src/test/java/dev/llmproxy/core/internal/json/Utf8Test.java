package dev.llmproxy.core.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Utf8#firstMalformed} agrees with the JDK's strict decoder, and says where it failed. */
class Utf8Test {
  @ParameterizedTest(name = "{0} at {1}")
  @CsvSource({
    "'', -1",
    "41, -1",
    "c3a9, -1", // é
    "e697a5, -1", // 日
    "f09f9880, -1", // 😀
    "ed9fbf, -1", // U+D7FF, the last before the surrogates
    "ee8080, -1", // U+E000, the first after them
    "efbfbf, -1", // U+FFFF, a noncharacter but well-formed
    "f48fbfbf, -1", // U+10FFFF, the last code point
    "ff, 0",
    "fe, 0",
    "80, 0", // a lone continuation byte
    "41bf42, 1",
    "c0af, 0", // overlong '/'
    "c1bf, 0", // overlong, C1 never occurs
    "e080af, 0", // overlong three-byte '/'
    "f08080af, 0", // overlong four-byte '/'
    "eda080, 0", // U+D800 as CESU-8
    "edbfbf, 0", // U+DFFF
    "eda0bdedb880, 0", // a surrogate pair, each half encoded (CESU-8 for 😀)
    "f4908080, 0", // U+110000
    "f5808080, 0",
    "f880808080, 0", // the old five-byte form
    "4142e282, 2", // cut short at the end of the body
    "41f09f98, 1",
    "c3, 0",
    "c341, 0", // a lead byte followed by ASCII
    "e28241, 0",
    "4141414141414141414141414141ff41, 14", // after the eight-byte fast path
  })
  void findsTheFirstMalformedSequence(String hex, int expected) {
    assertEquals(expected, Utf8.firstMalformed(HexFormat.of().parseHex(hex)));
  }

  /** Every one- and two-byte input, and every three- and four-byte lead with each second byte. */
  @Test
  void agreesWithTheJdkDecoderOnEveryShortSequence() {
    byte[][] tails = {{}, {(byte) 0x80}, {(byte) 0xBF, (byte) 0x80}, {0x41}, {(byte) 0xC0, 0x41}};
    for (int first = 0; first < 256; first++) {
      for (int second = -1; second < 256; second++) {
        for (byte[] tail : tails) {
          byte[] input = new byte[(second < 0 ? 1 : 2) + tail.length];
          input[0] = (byte) first;
          if (second >= 0) {
            input[1] = (byte) second;
          }
          System.arraycopy(tail, 0, input, input.length - tail.length, tail.length);
          assertEquals(
              jdkAccepts(input), Utf8.firstMalformed(input) < 0, HexFormat.of().formatHex(input));
        }
      }
    }
  }

  @Test
  void agreesWithTheJdkDecoderOnRandomText() {
    Random random = new Random(23);
    int[] alphabet = "a{\"}:é日😀\uFFFF\uE000\uD7FF".codePoints().toArray();
    for (int run = 0; run < 20_000; run++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(40); i > 0; i--) {
        text.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
      }
      byte[] input = text.toString().getBytes(StandardCharsets.UTF_8);
      if (input.length > 0 && random.nextBoolean()) {
        input[random.nextInt(input.length)] = (byte) random.nextInt(256); // maybe break it
      }
      assertEquals(
          jdkAccepts(input), Utf8.firstMalformed(input) < 0, HexFormat.of().formatHex(input));
    }
  }

  private static boolean jdkAccepts(byte[] input) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      decoder.decode(ByteBuffer.wrap(input));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
