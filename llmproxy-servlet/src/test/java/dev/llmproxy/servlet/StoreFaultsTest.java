package dev.llmproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Reservation;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.api.TokenResolver;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The host's stores fail, in a real Jetty: a token store, credential store or ledger that throws is
 * answered 503 in the provider's envelope (fail closed), nothing is forwarded, a hold is refunded
 * and never booked, no message of the store reaches the client, and no exchange is left running. A
 * ledger that fails to book an answer already given does not take the answer back.
 */
class StoreFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String SECRET_IN_MESSAGE = "password=hunter2";
  private static final String ANSWER =
      "{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":3,\"output_tokens\":2}}";

  private final MockWebServer upstream = new MockWebServer();
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountingLedger ledger = new CountingLedger();
  private Server server;
  private TestProxy proxy;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    upstream.close();
  }

  private URI start(TokenResolver tokens, CredentialStore credentials) throws Exception {
    upstream.start();
    proxy = new TestProxy(upstream.url("/").toString(), tokens, credentials, ledger);
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder filter =
        new FilterHolder(
            proxy.filter(LlmProxyFilter.DEFAULT_MOUNT_PATH, ContainerSupport.portable()));
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    return URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  private HttpResponse<String> send(URI base) throws Exception {
    return http.send(
        HttpRequest.newBuilder(base.resolve("/proxy/anthropic/v1/messages"))
            .header("x-api-key", TestProxy.TOKEN)
            .header("content-type", "application/json")
            .timeout(WAIT)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":16,\"messages\":[]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** 503 {@code api_error} in Anthropic's envelope, nothing forwarded, the exchange over. */
  private void assertFailedClosed(HttpResponse<String> response) throws Exception {
    assertEquals(503, response.statusCode(), response.body());
    JsonNode error = new ObjectMapper().readTree(response.body());
    assertEquals("error", error.path("type").asText());
    assertEquals("api_error", error.path("error").path("type").asText());
    assertFalse(response.body().contains(SECRET_IN_MESSAGE), response.body());
    assertFalse(response.body().contains("Exception"), response.body());
    assertEquals(0, upstream.getRequestCount(), "forwarded although a store failed");
    ProxyEvent event = proxy.nextEvent(WAIT);
    assertEquals(503, event.status());
    assertEquals(0, event.costNanoUsd());
    assertNothingLeftRunning();
  }

  /** Closing waits for exchanges still running (up to a 30 s drain): none, so it is at once. */
  private void assertNothingLeftRunning() {
    long start = System.nanoTime();
    proxy.close();
    long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertTrue(millis < 1_000, "an exchange was still running: closing took " + millis + " ms");
  }

  @Test
  void aTokenStoreThatIsDownFailsClosedWith503() throws Exception {
    URI base =
        start(
            credential -> {
              throw new StoreUnavailableException("token store down: " + SECRET_IN_MESSAGE);
            },
            TestProxy.sharedKeys());

    assertFailedClosed(send(base));
    assertEquals(0, ledger.reserved.get(), "nothing held for an unauthenticated caller");
  }

  @Test
  void aTokenResolverThatFailsWithABugFailsClosedWith503() throws Exception {
    URI base =
        start(
            credential -> {
              throw new IllegalStateException("resolver bug near " + SECRET_IN_MESSAGE);
            },
            TestProxy.sharedKeys());

    assertFailedClosed(send(base));
  }

  @Test
  void aLedgerThatIsDownFailsClosedWith503() throws Exception {
    ledger.failReserve = true;
    URI base = start(TestProxy::resolve, TestProxy.sharedKeys());

    assertFailedClosed(send(base));
    assertEquals(0, ledger.committed.get());
  }

  @Test
  void aCredentialStoreThatIsDownFailsClosedWith503AndRefundsTheHold() throws Exception {
    URI base =
        start(
            TestProxy::resolve,
            (principal, provider) -> {
              throw new StoreUnavailableException("key store down: " + SECRET_IN_MESSAGE);
            });

    assertFailedClosed(send(base));
    assertEquals(1, ledger.reserved.get());
    assertEquals(1, ledger.refunded.get(), "the hold is given back");
    assertEquals(0, ledger.committed.get(), "nothing booked for a request never sent");
  }

  @Test
  void aLedgerThatFailsToBookAnAnswerDoesNotTakeTheAnswerBack() throws Exception {
    ledger.failCommit = true;
    upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(ANSWER)
            .build());
    URI base = start(TestProxy::resolve, TestProxy.sharedKeys());

    HttpResponse<String> response = send(base);

    assertEquals(200, response.statusCode());
    assertEquals(ANSWER, response.body());
    assertEquals(Outcome.OK, proxy.nextEvent(WAIT).outcome());
    assertEquals(1, ledger.committed.get(), "the commit was tried");
    assertNothingLeftRunning();
  }

  /** Grants everything and counts each call; fails reserve or commit on demand. */
  private static final class CountingLedger implements BudgetLedger {
    private final BudgetLedger granting = TestProxy.windowLedger();
    final AtomicInteger reserved = new AtomicInteger();
    final AtomicInteger committed = new AtomicInteger();
    final AtomicInteger refunded = new AtomicInteger();
    volatile boolean failReserve;
    volatile boolean failCommit;

    @Override
    public Decision reserve(ReservationRequest request) {
      if (failReserve) {
        throw new StoreUnavailableException("ledger down: " + SECRET_IN_MESSAGE);
      }
      reserved.incrementAndGet();
      return granting.reserve(request);
    }

    @Override
    public void commit(Reservation reservation, Charge actual) {
      committed.incrementAndGet();
      if (failCommit) {
        throw new StoreUnavailableException("ledger down while booking");
      }
    }

    @Override
    public void refund(Reservation reservation) {
      refunded.incrementAndGet();
    }
  }
}
