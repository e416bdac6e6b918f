package dev.llmproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The builder fails loudly: a second call, a missing part, a duplicate upstream. */
class LlmProxyBuilderTest {
  private static final TokenResolver NOBODY =
      credential -> TokenResolution.rejected(TokenResolution.Reason.UNKNOWN);

  @Test
  void everySetterFailsWhenCalledTwice() {
    List<Consumer<LlmProxy.Builder>> setters =
        List.of(
            b -> b.tokenResolver(NOBODY),
            b -> b.credentialStore(SharedCredentialStore.empty()),
            b -> b.budgetLedger(BudgetLedger.unlimited()),
            b -> b.upstreamClient(request -> null),
            b -> b.executor(Runnable::run),
            b -> b.anthropic(AnthropicSettings.defaults()),
            b -> b.openAi(OpenAiSettings.defaults()),
            b -> b.maxRequestBodyBytes(1024),
            b -> b.maxConcurrentExchanges(10),
            b -> b.prices(PriceTable.defaults()),
            b -> b.tiers(Tiers.defaults()),
            b -> b.defaultMaxOutputTokens(100),
            b -> b.clock(Clock.systemUTC()),
            b -> b.shutdownDrain(java.time.Duration.ofSeconds(1)));
    for (Consumer<LlmProxy.Builder> setter : setters) {
      LlmProxy.Builder builder = LlmProxy.builder();
      setter.accept(builder);
      IllegalStateException twice =
          assertThrows(IllegalStateException.class, () -> setter.accept(builder));
      assertTrue(twice.getMessage().endsWith("was already set"), twice.getMessage());
    }
  }

  @Test
  void aMissingTokenResolverOrCredentialStoreIsNamed() {
    IllegalStateException noResolver =
        assertThrows(
            IllegalStateException.class,
            () -> LlmProxy.builder().credentialStore(SharedCredentialStore.empty()).build());
    assertTrue(noResolver.getMessage().startsWith("tokenResolver is required"));
    IllegalStateException noStore =
        assertThrows(
            IllegalStateException.class, () -> LlmProxy.builder().tokenResolver(NOBODY).build());
    assertTrue(noStore.getMessage().startsWith("credentialStore is required"));
  }

  @Test
  void twoCompatibleUpstreamsOfOneNameAreRefusedAtTheSecond() {
    LlmProxy.Builder builder =
        LlmProxy.builder()
            .addCompatibleUpstream(CompatibleUpstream.keyless("ollama", "http://127.0.0.1:11434"));
    IllegalArgumentException duplicate =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                builder.addCompatibleUpstream(
                    CompatibleUpstream.bearer("ollama", "http://127.0.0.1:8000")));
    assertEquals("two upstreams named ollama", duplicate.getMessage());
  }

  @Test
  void providerSettingsRefuseABaseUrlWithAQueryAndDropATrailingSlash() {
    assertThrows(
        IllegalArgumentException.class, () -> new AnthropicSettings("https://example.test/?x=1"));
    assertEquals(
        "https://example.test/base",
        OpenAiSettings.defaults().withBaseUrl("https://example.test/base/").baseUrl());
  }
}
