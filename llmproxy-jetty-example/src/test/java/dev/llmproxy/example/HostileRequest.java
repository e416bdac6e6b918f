package dev.llmproxy.example;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A request as bytes: {@code POST /proxy/{provider}/{path}} with the proxy token (or without),
 * extra headers and a body, each part possibly hostile. {@link #toString} escapes every byte that
 * is not printable ASCII, so a shrunk counterexample can be pasted into a regression test.
 */
record HostileRequest(
    String provider, byte[] path, List<Header> headers, byte[] body, Credential credential) {

  enum Credential {
    API_KEY,
    BEARER,
    NONE
  }

  /** One header line, {@code name: value}, as bytes. */
  record Header(byte[] name, byte[] value) {
    static Header of(String name, String value) {
      return new Header(latin1(name), latin1(value));
    }

    @Override
    public String toString() {
      return escape(name) + ": " + escape(value);
    }
  }

  /** The request on the wire, with {@code token} where its credential says. */
  byte[] toBytes(String token) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(latin1("POST /proxy/" + provider + "/"));
    out.writeBytes(path);
    out.writeBytes(latin1(" HTTP/1.1\r\nHost: localhost\r\n"));
    switch (credential) {
      case API_KEY -> out.writeBytes(latin1("x-api-key: " + token + "\r\n"));
      case BEARER -> out.writeBytes(latin1("Authorization: Bearer " + token + "\r\n"));
      case NONE -> {}
    }
    for (Header header : headers) {
      out.writeBytes(header.name());
      out.writeBytes(latin1(": "));
      out.writeBytes(header.value());
      out.writeBytes(latin1("\r\n"));
    }
    out.writeBytes(latin1("Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n"));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /**
   * Whether the server frames this request as written: a CR or LF inside a header's name or value
   * ends that header line (or the whole head, if an empty line follows), so the server may read a
   * different body than {@link #body()}, such as none at all.
   */
  boolean framedAsWritten() {
    for (Header header : headers) {
      for (byte[] part : new byte[][] {header.name(), header.value()}) {
        for (byte b : part) {
          if (b == '\r' || b == '\n') {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The value of the last {@code content-type} header this request carries, if any. */
  String contentType() {
    String type = null;
    for (Header header : headers) {
      if (new String(header.name(), StandardCharsets.ISO_8859_1).equalsIgnoreCase("content-type")) {
        type = new String(header.value(), StandardCharsets.ISO_8859_1);
      }
    }
    return type;
  }

  /** Smaller requests: a header fewer, a path segment fewer, a shorter body. */
  Stream<HostileRequest> shrink() {
    List<HostileRequest> smaller = new ArrayList<>();
    for (int i = 0; i < headers.size(); i++) {
      List<Header> fewer = new ArrayList<>(headers);
      fewer.remove(i);
      smaller.add(new HostileRequest(provider, path, fewer, body, credential));
    }
    for (byte[] shorter : shorter(path)) {
      smaller.add(new HostileRequest(provider, shorter, headers, body, credential));
    }
    for (byte[] shorter : shorter(body)) {
      smaller.add(new HostileRequest(provider, path, headers, shorter, credential));
    }
    for (int i = 0; i < headers.size(); i++) {
      for (byte[] value : shorter(headers.get(i).value())) {
        List<Header> changed = new ArrayList<>(headers);
        changed.set(i, new Header(headers.get(i).name(), value));
        smaller.add(new HostileRequest(provider, path, changed, body, credential));
      }
    }
    return smaller.stream();
  }

  /** Halves, then quarters, ... then single bytes removed: the steps of delta debugging. */
  private static List<byte[]> shorter(byte[] bytes) {
    List<byte[]> out = new ArrayList<>();
    if (bytes.length == 0) {
      return out;
    }
    out.add(new byte[0]);
    for (int chunk = bytes.length / 2; chunk >= 1; chunk /= 2) {
      for (int from = 0; from + chunk <= bytes.length; from += chunk) {
        byte[] cut = new byte[bytes.length - chunk];
        System.arraycopy(bytes, 0, cut, 0, from);
        System.arraycopy(bytes, from + chunk, cut, from, bytes.length - from - chunk);
        out.add(cut);
      }
      if (out.size() > 200) {
        break;
      }
    }
    return out;
  }

  static byte[] latin1(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String escape(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
        out.append((char) c);
      } else {
        out.append(String.format("\\x%02x", c));
      }
      if (out.length() > 600) {
        return out.append("...(").append(bytes.length).append(" bytes)").toString();
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "POST /proxy/"
        + provider
        + "/"
        + escape(path)
        + " "
        + credential
        + " "
        + headers
        + " body=\""
        + escape(body)
        + "\"";
  }
}
