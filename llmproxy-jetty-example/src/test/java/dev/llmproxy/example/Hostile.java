package dev.llmproxy.example;

import dev.llmproxy.example.HostileRequest.Credential;
import dev.llmproxy.example.HostileRequest.Header;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Generators of hostile requests: paths, header names and values, JSON bodies. */
final class Hostile {
  private Hostile() {}

  private static final String[] SEGMENTS = {
    "v1",
    "messages",
    "chat",
    "completions",
    "models",
    "count_tokens",
    "x".repeat(9000), // a request line over Jetty's limit: 414
    "..",
    ".",
    "%2e%2e",
    "%2E%2e",
    ".%2e",
    "%2e",
    "%2f",
    "%2F",
    "%5c",
    "\\",
    "%00",
    "%",
    "%z",
    "%zz",
    "%c0%ae%c0%ae",
    "%ff",
    ";",
    ";a=b",
    "..;",
    "%3b",
    "%25",
    "%252e%252e",
    "?x=1",
    "?a=%00&b",
    "#frag",
    "",
    "~",
    "%e2%80%ae",
    "\u00e9",
    "\u00c3\u00a9",
    "\u00ff",
    "\u0080",
    "\t",
    "\u0001",
    "\u007f",
    "a%20b",
    "+",
    "*",
    "'\"<>"
  };

  private static final String[] HEADER_NAMES = {
    "accept",
    "anthropic-version",
    "anthropic-beta",
    "user-agent",
    "x-api-key",
    "authorization",
    "connection",
    "transfer-encoding",
    "content-length",
    "host",
    "expect",
    "te",
    "upgrade",
    "x-forwarded-for",
    "cookie",
    "openai-organization",
    "content-encoding",
    "x-llmproxy-x",
    "bad name",
    "",
    "a:b",
    "\u00e4",
    "x\u0000y",
    "x\ty",
    "(",
    "content-type"
  };

  private static final String[] HEADER_VALUES = {
    "chunked",
    "100-continue",
    "close",
    "keep-alive, Upgrade",
    "-1",
    "99999999999999999999",
    "0",
    "gzip",
    "Bearer",
    "Bearer lp_sk_nope",
    "lp_sk_",
    "\u00ff\u00fe",
    "a\u0000b",
    "\u0001",
    " ",
    "2023-06-01",
    "h2c",
    "x\ny",
    "x\rY",
    "=?utf-8?q?x?="
  };

  static final String[] CONTENT_TYPES = {
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/vnd.api+json",
    "text/plain",
    "application/json; charset=utf-16",
    "multipart/form-data; boundary=x",
    "",
    "application/json;;;",
    "application/json\u00ff",
    "application/x-www-form-urlencoded",
    "application/jsonx"
  };

  private static final String[] NUMBERS = {
    "0",
    "-0",
    "1",
    "-1",
    "64",
    "1.5",
    "1e3",
    "1E-7",
    "1e999999",
    "-1e-999999",
    "10000000",
    "10000001",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "1.7976931348623157e309",
    "0.0000000000000000000001",
    "01",
    "1.",
    ".5",
    "+1",
    "NaN",
    "Infinity",
    "0x10"
  };

  private static final String[] KEYS = {
    "model",
    "max_tokens",
    "stream",
    "messages",
    "content",
    "role",
    "max_completion_tokens",
    "max_output_tokens",
    "metadata",
    "system",
    "tools",
    "",
    "\\u0000",
    "mod\\u0065l",
    "\u00e9"
  };

  private static final String[] STRING_PARTS = {
    "a", "claude-sonnet-4-5", "gpt-4o-mini", "\\n", "\\\"", "\\\\", "\\u0000", "\\ud800",
    "\\udc00\\ud800", "\\ud83d\\ude00", "\u00e9", "\u65e5", "\ud83d\ude00", "\\x", "\\u12", "\t",
    "\u0001", " "
  };

  static <T> T pick(Random r, T[] values) {
    return values[r.nextInt(values.length)];
  }

  /** A path below the provider: a few segments, common and hostile. */
  static byte[] path(Random r) {
    StringBuilder path = new StringBuilder();
    for (int i = 0, n = 1 + r.nextInt(5); i < n; i++) {
      path.append(i == 0 ? "" : "/").append(pick(r, SEGMENTS));
    }
    return HostileRequest.latin1(path.toString());
  }

  static Header header(Random r) {
    String name = r.nextInt(4) == 0 ? token(r) : pick(r, HEADER_NAMES);
    byte[] value;
    switch (r.nextInt(4)) {
      case 0 -> value = HostileRequest.latin1(pick(r, HEADER_VALUES));
      case 1 -> value = bytes(r, r.nextInt(40), 0x01, 0x100); // any byte but NUL
      case 2 -> value = HostileRequest.latin1("x".repeat(r.nextInt(3) == 0 ? 20_000 : 300));
      default -> value = HostileRequest.latin1(token(r));
    }
    value = strip(value, r.nextInt(8) == 0 ? "" : "\r\n"); // a bare CR or LF, now and then
    return new Header(HostileRequest.latin1(name), value);
  }

  static List<Header> headers(Random r) {
    List<Header> headers = new ArrayList<>();
    for (int i = 0, n = r.nextInt(4); i < n; i++) {
      headers.add(header(r));
    }
    return headers;
  }

  static Header contentType(Random r) {
    return Header.of("content-type", pick(r, CONTENT_TYPES));
  }

  static Credential credential(Random r) {
    int n = r.nextInt(20);
    return n == 0 ? Credential.NONE : n == 1 ? Credential.BEARER : Credential.API_KEY;
  }

  /** A JSON request body, then maybe broken: cut short, a byte changed, nested deep, re-encoded. */
  static byte[] body(Random r) {
    StringBuilder json = new StringBuilder("{");
    json.append("\"model\":").append(r.nextInt(6) == 0 ? value(r, 2) : "\"claude-sonnet-4-5\"");
    if (r.nextBoolean()) {
      json.append(",\"max_tokens\":").append(r.nextInt(3) == 0 ? pick(r, NUMBERS) : "64");
    }
    if (r.nextInt(3) == 0) {
      json.append(",\"stream\":").append(r.nextBoolean() ? "false" : value(r, 1));
    }
    json.append(",\"messages\":[{\"role\":\"user\",\"content\":").append(value(r, 3)).append("}]");
    for (int i = 0, n = r.nextInt(3); i < n; i++) {
      json.append(",\"").append(pick(r, KEYS)).append("\":").append(value(r, 3));
    }
    json.append("}");
    byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
    return r.nextInt(5) < 2 ? body : mutate(r, body);
  }

  private static String value(Random r, int depth) {
    int kind = depth <= 0 ? r.nextInt(4) : r.nextInt(6);
    switch (kind) {
      case 0 -> {
        return pick(r, new String[] {"null", "true", "false"});
      }
      case 1 -> {
        return r.nextInt(10) == 0 ? "9".repeat(900 + r.nextInt(300)) : pick(r, NUMBERS);
      }
      case 2, 3 -> {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0, n = r.nextInt(6); i < n; i++) {
          s.append(pick(r, STRING_PARTS));
        }
        return s.append('"').toString();
      }
      case 4 -> {
        StringBuilder a = new StringBuilder("[");
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
          a.append(i == 0 ? "" : ",").append(value(r, depth - 1));
        }
        return a.append(']').toString();
      }
      default -> {
        StringBuilder o = new StringBuilder("{");
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
          o.append(i == 0 ? "" : ",").append('"').append(pick(r, KEYS)).append("\":");
          o.append(value(r, depth - 1));
        }
        return o.append('}').toString();
      }
    }
  }

  private static byte[] mutate(Random r, byte[] body) {
    switch (r.nextInt(9)) {
      case 0 -> {
        return java.util.Arrays.copyOf(body, r.nextInt(body.length)); // cut short
      }
      case 1 -> {
        body[r.nextInt(body.length)] =
            (byte) (int) pick(r, new Integer[] {0xFF, 0xC0, 0x80, 0xED, 0xF4, 0xF5, 0x00, 0xC3});
        return body;
      }
      case 2 -> {
        byte[] longer = new byte[body.length + 1];
        int at = r.nextInt(body.length + 1);
        System.arraycopy(body, 0, longer, 0, at);
        longer[at] = (byte) r.nextInt(256);
        System.arraycopy(body, at, longer, at + 1, body.length - at);
        return longer;
      }
      case 3 -> {
        int depth = pick(r, new Integer[] {10, 999, 1000, 1001, 5000, 40_000});
        String open = "[".repeat(depth);
        String close = r.nextBoolean() ? "]".repeat(depth) : "";
        return concat(
            HostileRequest.latin1("{\"x\":" + open), body, HostileRequest.latin1(close + "}"));
      }
      case 4 -> {
        return concat(
            new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, body); // a byte order mark
      }
      case 5 -> {
        return new String(body, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16LE);
      }
      case 6 -> {
        return concat(
            body,
            HostileRequest.latin1(
                pick(r, new String[] {"}", " x", "{}", "\u0000", "\u00e2\u0082"})));
      }
      case 7 -> {
        return HostileRequest.latin1(
            pick(
                r,
                new String[] {
                  "",
                  " ",
                  "null",
                  "[]",
                  "\"x\"",
                  "1",
                  "not json",
                  "{\"model\":\"a\",\"model\":\"b\"}"
                }));
      }
      default -> {
        return bytes(r, r.nextInt(64), 0, 0x100);
      }
    }
  }

  private static String token(Random r) {
    String chars = "abcdefghijklmnopqrstuvwxyz0123456789-_.!#$%&'*+^`|~";
    StringBuilder s = new StringBuilder();
    for (int i = 0, n = 1 + r.nextInt(12); i < n; i++) {
      s.append(chars.charAt(r.nextInt(chars.length())));
    }
    return s.toString();
  }

  private static byte[] bytes(Random r, int length, int from, int to) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (from + r.nextInt(to - from));
    }
    return out;
  }

  private static byte[] strip(byte[] bytes, String unwanted) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : bytes) {
      if (unwanted.indexOf((char) (b & 0xFF)) < 0) {
        out.write(b);
      }
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
