package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Charge;
import dev.llmproxy.api.Decision;
import dev.llmproxy.api.Limits;
import dev.llmproxy.api.Outcome;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProxyEvent;
import dev.llmproxy.api.Purpose;
import dev.llmproxy.api.RateLimit;
import dev.llmproxy.api.ReclaimedHold;
import dev.llmproxy.api.ReservationRequest;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.ledger.FileBudgetLedger;
import dev.llmproxy.core.tokens.StaticTokenResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy keeps its ledger's leases alive and records every hold a heartbeat reclaimed. */
class HoldReclaimTest {
  @TempDir Path dir;

  private static LlmProxy.Builder proxy() {
    return LlmProxy.builder()
        .tokenResolver(StaticTokenResolver.of(Map.of()))
        .credentialStore(SharedCredentialStore.empty());
  }

  @Test
  void aHoldLeftOpenByACrashIsBookedAndRecordedAsAnEstimatedExchange() throws Exception {
    Principal alice =
        new Principal(
            "alice",
            Principal.Kind.USER,
            "pro",
            Set.of(),
            Map.of(Principal.TOKEN_ID, "tok_1"),
            new Limits(
                OptionalLong.empty(),
                OptionalLong.of(2_000),
                List.of(),
                Set.of(),
                dev.llmproxy.api.BudgetPeriod.LIFETIME,
                List.of(
                    new dev.llmproxy.api.TeamBudget(
                        "platform",
                        OptionalLong.empty(),
                        OptionalLong.empty(),
                        dev.llmproxy.api.BudgetPeriod.LIFETIME))));
    Instant reservedAt = Instant.parse("2026-12-03T09:00:00Z");
    Purpose purpose = new Purpose("anthropic", "POST", "/v1/messages", "claude-sonnet-4-5");
    FileBudgetLedger crashed = FileBudgetLedger.open(dir);
    assertInstanceOf(
        Decision.Granted.class,
        crashed.reserve(
            new ReservationRequest(
                alice, new Charge(1, 1_500), RateLimit.NONE, reservedAt, purpose)));
    crashed.close(); // releases the directory, settles nothing: as a kill -9 leaves it

    BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
    try (FileBudgetLedger ledger = FileBudgetLedger.open(dir);
        LlmProxy proxy = proxy().budgetLedger(ledger).addListener(events::add).build()) {
      ProxyEvent event = events.poll(10, TimeUnit.SECONDS);
      assertNotNull(event, "the first heartbeat records the reclaimed hold");
      assertTrue(event.reclaimed());
      assertTrue(event.costEstimated());
      assertEquals(1_500, event.costNanoUsd());
      assertEquals(502, event.status());
      assertEquals(Outcome.UPSTREAM_ERROR, event.outcome());
      assertEquals(reservedAt, event.timestamp());
      assertEquals("alice", event.principalId().orElseThrow());
      assertEquals("tok_1", event.tokenId().orElseThrow());
      assertEquals("platform", event.team().orElseThrow(), "group_by=team counts it too");
      assertEquals(new Balance(1, 1_500), ledger.balance("team:platform"));
      assertEquals("anthropic", event.provider().orElseThrow());
      assertEquals("POST", event.method());
      assertEquals("/v1/messages", event.path());
      assertEquals("claude-sonnet-4-5", event.model().orElseThrow());
      assertEquals(
          new Balance(1, event.costNanoUsd()), ledger.balance("tok_1"), "spend is the event's");
      assertEquals(List.of(), ledger.heartbeat(Instant.now()), "booked once");
    }
  }

  @Test
  void theHeartbeatRunsUntilTheProxyClosesAndSurvivesAFailingLedger() throws Exception {
    CountDownLatch beats = new CountDownLatch(3);
    BudgetLedger failing =
        new RecordingLedger() {
          @Override
          public List<ReclaimedHold> heartbeat(Instant now) {
            beats.countDown();
            throw new IllegalStateException("database down"); // the next beat tries again
          }
        };
    LlmProxy proxy = proxy().budgetLedger(failing).ledgerHeartbeat(Duration.ofMillis(20)).build();
    try {
      assertTrue(beats.await(10, TimeUnit.SECONDS), "beats go on after a failure");
    } finally {
      proxy.close();
    }
    // Its executor has terminated; the thread itself ends a moment later (not a sleep: a bound).
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().equals("llmproxy-ledger-heartbeat")) {
        thread.join(5_000);
        assertFalse(thread.isAlive(), "close stops the heartbeat thread");
      }
    }
  }

  @Test
  void aCommitTheLedgerRefusedIsRetriedByTheHeartbeatAtTheSameCost() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean down =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    BlockingQueue<Charge> booked = new LinkedBlockingQueue<>();
    BudgetLedger flaky =
        new RecordingLedger() {
          @Override
          public void commit(dev.llmproxy.api.Reservation reservation, Charge actual) {
            if (down.get()) {
              throw new IllegalStateException("database down");
            }
            booked.add(actual);
          }
        };
    try (mockwebserver3.MockWebServer upstream = new mockwebserver3.MockWebServer()) {
      upstream.enqueue(
          new mockwebserver3.MockResponse.Builder()
              .setHeader("content-type", "application/json")
              .body("{\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}")
              .build());
      upstream.start();
      BlockingQueue<ProxyEvent> events = new LinkedBlockingQueue<>();
      try (LlmProxy proxy =
          LlmProxy.builder()
              .anthropic(new AnthropicSettings(upstream.url("/").toString()))
              .tokenResolver(
                  StaticTokenResolver.of(Map.of("lp_sk_t", Principal.user("alice", "pro"))))
              .credentialStore(
                  SharedCredentialStore.empty()
                      .withApiKey(dev.llmproxy.api.ProviderId.ANTHROPIC, "sk-ant-x"))
              .budgetLedger(flaky)
              .ledgerHeartbeat(Duration.ofMillis(20))
              .addListener(events::add)
              .build()) {
        FakeExchange exchange =
            FakeExchange.post(
                "/anthropic/v1/messages",
                "lp_sk_t",
                "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10}");
        proxy.handle(exchange);
        exchange.await();
        ProxyEvent event = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(event);
        assertTrue(booked.isEmpty(), "the ledger refused the commit");
        down.set(false); // the database is back
        Charge retried = booked.poll(10, TimeUnit.SECONDS);
        assertNotNull(retried, "the heartbeat retried the commit");
        assertEquals(event.costNanoUsd(), retried.nanoUsd(), "at the exchange's cost");
        assertEquals(15, retried.tokens());
      }
    }
  }
}
