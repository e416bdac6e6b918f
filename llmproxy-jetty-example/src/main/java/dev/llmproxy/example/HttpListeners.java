package dev.llmproxy.example;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The HTTP connectors for {@code LLMPROXY_HOST}: one per address the host resolves to, all on the
 * same port, opened before the server starts. The default, {@code localhost}, gives 127.0.0.1 and
 * ::1, so a client that resolves {@code localhost} to either (Node.js 17 and later may pick ::1)
 * finds the proxy, and nothing outside this machine does. {@code 0.0.0.0} or {@code ::} listens on
 * every interface (a container, where the published port arrives on the container's own interface,
 * or a server behind no other proxy).
 */
final class HttpListeners {
  private HttpListeners() {}

  /**
   * Opens one connector from {@code connectors} per address of {@code host}, on {@code port} (0:
   * the first picks a free port, the others take the same). The first address must bind; a further
   * one that cannot (::1 where IPv6 is disabled) is left out, and logged.
   */
  static List<ServerConnector> open(String host, int port, Supplier<ServerConnector> connectors)
      throws IOException {
    List<ServerConnector> opened = new ArrayList<>();
    try {
      for (InetAddress address : addresses(host)) {
        ServerConnector connector = connectors.get();
        connector.setHost(address.getHostAddress());
        connector.setPort(opened.isEmpty() ? port : opened.get(0).getLocalPort());
        try {
          connector.open();
        } catch (IOException e) {
          if (opened.isEmpty()) {
            throw new IOException(
                "cannot listen on " + address.getHostAddress() + " port " + port + ": " + e, e);
          }
          log.info("Not listening on {} ({}); the other addresses serve", address, e.toString());
          continue;
        }
        opened.add(connector);
      }
    } catch (IOException | RuntimeException e) {
      close(opened);
      throw e;
    }
    return opened;
  }

  /** Closes connectors opened by {@link #open} whose server never started. */
  static void close(List<ServerConnector> connectors) {
    for (ServerConnector connector : connectors) {
      connector.close();
    }
  }

  /** Every address {@code host} names (in the resolver's order); one if it is a literal. */
  static Set<InetAddress> addresses(String host) throws UnknownHostException {
    try {
      return new LinkedHashSet<>(List.of(InetAddress.getAllByName(host)));
    } catch (UnknownHostException e) {
      throw new UnknownHostException("LLMPROXY_HOST '" + host + "' does not resolve");
    }
  }

  /**
   * The host for URLs shown to people: {@code localhost} when the proxy listens on loopback or on
   * every interface (reachable as localhost either way), else what the operator named.
   */
  static String urlHost(String host, List<ServerConnector> connectors) {
    for (ServerConnector connector : connectors) {
      InetAddress address = addressOf(connector);
      if (!address.isLoopbackAddress() && !address.isAnyLocalAddress()) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
      }
    }
    return "localhost";
  }

  /** Whether every connector listens on a loopback address only. */
  static boolean loopbackOnly(List<ServerConnector> connectors) {
    return connectors.stream().allMatch(c -> addressOf(c).isLoopbackAddress());
  }

  /** {@code 127.0.0.1:8080}, {@code [::1]:8080}, one per connector. */
  static List<String> describe(List<ServerConnector> connectors) {
    return connectors.stream()
        .map(
            c -> {
              String a = addressOf(c).getHostAddress();
              return (a.contains(":") ? "[" + a + "]" : a) + ":" + c.getLocalPort();
            })
        .toList();
  }

  private static InetAddress addressOf(ServerConnector connector) {
    try {
      return InetAddress.getByName(connector.getHost()); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // impossible for a literal
    }
  }

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(HttpListeners.class);
}
