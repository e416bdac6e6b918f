package dev.llmproxy.core.internal.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A strict UTF-8 check (RFC 3629; Unicode's table 3-7 of well-formed byte sequences), run over a
 * whole JSON body before the peek parses it.
 *
 * <p>Jackson's byte parser is not enough on its own. It never decodes a field name it finds in its
 * symbol table, and it pads a name's last, partial four-byte group with {@code 0xFF} bytes before
 * the lookup, so {@code "cont\xFFent"} hits the {@code "content"} seen by an earlier request and
 * passes undecoded. Where it does decode (values, new names), it accepts overlong forms ({@code C0
 * AF} for {@code /}), UTF-16 surrogates encoded as UTF-8 (CESU-8) and code points above U+10FFFF. A
 * proxy that reads a document one way while the upstream reads it another is a proxy whose checks
 * can be walked around, so a body that is not well-formed UTF-8 is refused before anything reads
 * it.
 */
public final class Utf8 {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8() {}

  /**
   * The index of the first byte of {@code bytes} that does not begin a well-formed UTF-8 sequence
   * (a stray continuation byte, an overlong form, a surrogate, a code point above U+10FFFF, a
   * sequence cut short, or a byte that never occurs in UTF-8), or -1 if every byte is well-formed.
   */
  public static int firstMalformed(byte[] bytes) {
    int n = bytes.length;
    int i = 0;
    while (i < n) {
      // ASCII, eight bytes at a time: the bulk of a JSON request body.
      while (i <= n - 32
          && (((long) LONGS.get(bytes, i)
                      | (long) LONGS.get(bytes, i + 8)
                      | (long) LONGS.get(bytes, i + 16)
                      | (long) LONGS.get(bytes, i + 24))
                  & HIGH_BITS)
              == 0) {
        i += 32;
      }
      while (i <= n - 8 && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
        i += 8;
      }
      if (i >= n) {
        return -1;
      }
      int lead = bytes[i];
      if (lead >= 0) {
        i++;
        continue;
      }
      lead &= 0xFF;
      int length = lead < 0xC2 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF5 ? 4 : 0;
      if (length == 0 || i + length > n) {
        return i; // a continuation byte, C0/C1 (always overlong), F5..FF, or cut off at the end
      }
      // The second byte's range depends on the lead: this excludes overlong three- and four-byte
      // forms (E0, F0), surrogates D800..DFFF (ED) and code points above U+10FFFF (F4).
      int second = bytes[i + 1] & 0xFF;
      int low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
      int high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
      if (second < low || second > high) {
        return i;
      }
      for (int k = 2; k < length; k++) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
          return i;
        }
      }
      i += length;
    }
    return -1;
  }
}
