package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code LLMPROXY_HOST}: loopback by default, every interface when asked. */
class HttpHostTest {
  @Test
  void byDefaultTheProxyAnswersOnLoopbackAndNotOnTheMachinesOtherAddresses() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      ExampleServer server = fixture.server;
      assertTrue(server.loopbackOnly(), server.listening().toString());
      assertTrue(
          server.listening().contains("127.0.0.1:" + server.port()), server.listening().toString());
      assertEquals("http://localhost:" + server.port(), server.baseUrl());
      assertTrue(ListeningSockets.accepts(InetAddress.getByName("127.0.0.1"), server.port()));
      Optional<InetAddress> outside = ListeningSockets.nonLoopbackAddress();
      assumeTrue(outside.isPresent(), "this machine has no address but loopback");
      assertFalse(ListeningSockets.accepts(outside.get(), server.port()), "reached on " + outside);
    }
  }

  /** Node.js 17+ may resolve localhost to ::1 first: the default listens where localhost is. */
  @Test
  void byDefaultTheProxyListensOnEveryAddressLocalhostNames() throws Exception {
    try (ProxyFixture fixture = new ProxyFixture()) {
      for (InetAddress address : InetAddress.getAllByName("localhost")) {
        String shown =
            address instanceof Inet6Address
                ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        assertTrue(fixture.server.listening().contains(shown + ":" + fixture.server.port()), shown);
        assertTrue(ListeningSockets.accepts(address, fixture.server.port()), shown);
      }
    }
  }

  @Test
  void hostZeroListensOnEveryInterface() throws Exception {
    Optional<InetAddress> outside = ListeningSockets.nonLoopbackAddress();
    assumeTrue(outside.isPresent(), "this machine has no address but loopback");
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_HOST", "0.0.0.0"))) {
      assertFalse(fixture.server.loopbackOnly());
      assertTrue(ListeningSockets.accepts(outside.get(), fixture.server.port()));
      assertEquals("http://localhost:" + fixture.server.port(), fixture.server.baseUrl());
    }
  }

  @Test
  void aSpecificAddressIsWhereTheProxyListensAndWhatItsUrlsName() throws Exception {
    Optional<InetAddress> outside = ListeningSockets.nonLoopbackAddress();
    assumeTrue(outside.isPresent(), "this machine has no address but loopback");
    String address = outside.get().getHostAddress();
    try (ProxyFixture fixture = new ProxyFixture(Map.of("LLMPROXY_HOST", address))) {
      int port = fixture.server.port();
      assertEquals(java.util.List.of(address + ":" + port), fixture.server.listening());
      assertEquals("http://" + address + ":" + port, fixture.server.baseUrl());
      assertFalse(ListeningSockets.accepts(InetAddress.getByName("127.0.0.1"), port));
    }
  }

  @Test
  void theHostIsConfiguredByEnvironmentWithLocalhostAsTheDefault() {
    assertEquals("localhost", ExampleConfig.fromEnvironment(Map.of()).host());
    assertEquals("localhost", ExampleConfig.fromEnvironment(Map.of("LLMPROXY_HOST", " ")).host());
    assertEquals("::", ExampleConfig.fromEnvironment(Map.of("LLMPROXY_HOST", " :: ")).host());
    assertTrue(
        Arrays.asList(ExampleConfig.fromEnvironment(Map.of()).toString().split(", "))
            .contains("ExampleConfig[host=localhost"));
  }
}
