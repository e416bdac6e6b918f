package dev.llmproxy.spring;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.ProxyListener;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.api.UpstreamClient;
import dev.llmproxy.core.AnthropicSettings;
import dev.llmproxy.core.LlmProxy;
import dev.llmproxy.core.ModelPrice;
import dev.llmproxy.core.OkHttpUpstreamClient;
import dev.llmproxy.core.OpenAiSettings;
import dev.llmproxy.core.PriceTable;
import dev.llmproxy.core.Tiers;
import dev.llmproxy.core.credentials.ClaudeCredentialsFile;
import dev.llmproxy.core.credentials.CredentialChain;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.ledger.InMemoryBudgetLedger;
import dev.llmproxy.core.pools.PoolMember;
import dev.llmproxy.core.pools.PoolStrategy;
import dev.llmproxy.core.pools.UpstreamPool;
import dev.llmproxy.servlet.LlmProxyFilter;
import java.util.Map;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds an {@link LlmProxy} from the application's beans and the {@code llmproxy.*} properties,
 * and serves it through an {@link LlmProxyFilter}.
 *
 * <p>From the application: a {@link TokenResolver} (required), and optionally a {@link
 * CredentialStore} (asked first; the shared keys of {@code llmproxy.anthropic.api-key} and {@code
 * llmproxy.openai.api-key} answer for principals it has no key for), a {@link BudgetLedger}
 * (default: an in-memory one, so tier rates are enforced and {@code X-RateLimit-*} headers sent on
 * one node), every {@link ProxyListener}, an {@link UpstreamClient}, and an {@link Executor} bean
 * named {@value #EXECUTOR_BEAN} (never Spring's own task executor, whose queue would hold streams
 * behind streams). An application that defines its own {@link LlmProxy} bean gets only the filter.
 *
 * <p>The filter is registered for {@code /*} with async support at order {@link
 * LlmProxyProperties#filterOrder()}: before Spring Security, which therefore never sees proxy
 * routes (the proxy authenticates them with the application's {@link TokenResolver}). The proxy is
 * closed first on shutdown, before the web server stops, so streams in flight drain.
 */
@AutoConfiguration
@ConditionalOnClass(LlmProxy.class)
@ConditionalOnBooleanProperty(name = "llmproxy.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LlmProxyProperties.class)
public class LlmProxyAutoConfiguration {
  /** The name of the optional executor bean that runs the proxy's exchanges. */
  public static final String EXECUTOR_BEAN = "llmProxyExecutor";

  /** Created by Spring. */
  public LlmProxyAutoConfiguration() {}

  /** The upstream client and the proxy, unless the application built its own proxy. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(LlmProxy.class)
  static class ProxyConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(UpstreamClient.class)
    OkHttpUpstreamClient llmProxyUpstreamClient(LlmProxyProperties properties) {
      return OkHttpUpstreamClient.builder()
          .connectTimeout(properties.connectTimeout())
          .readTimeout(properties.idleTimeout())
          .build();
    }

    @Bean(destroyMethod = "close")
    LlmProxy llmProxy(
        LlmProxyProperties properties,
        ObjectProvider<TokenResolver> tokenResolver,
        ObjectProvider<CredentialStore> credentialStore,
        ObjectProvider<BudgetLedger> budgetLedger,
        ObjectProvider<ProxyListener> listeners,
        ObjectProvider<UpstreamClient> upstreamClient,
        @Qualifier(EXECUTOR_BEAN) ObjectProvider<Executor> executor) {
      TokenResolver resolver = tokenResolver.getIfUnique();
      if (resolver == null) {
        throw new TokenResolverMissingException();
      }
      LlmProxy.Builder builder =
          LlmProxy.builder()
              .tokenResolver(resolver)
              .credentialStore(credentials(properties, credentialStore.getIfUnique()))
              .budgetLedger(budgetLedger.getIfUnique(InMemoryBudgetLedger::new))
              .upstreamClient(upstreamClient.getObject())
              .anthropic(
                  new AnthropicSettings(
                      orDefault(
                          properties.anthropic().baseUrl(), AnthropicSettings.DEFAULT_BASE_URL)))
              .openAi(
                  OpenAiSettings.defaults()
                      .withBaseUrl(
                          orDefault(
                              properties.openai().baseUrl(), OpenAiSettings.DEFAULT_BASE_URL)))
              .maxRequestBodyBytes(properties.maxRequestBody().toBytes())
              .maxConcurrentExchanges(properties.maxConcurrent())
              .shutdownDrain(properties.shutdownDrain())
              .tiers(tiers(properties.tiers()))
              .budgetZone(java.time.ZoneId.of(properties.budgetZone()))
              .prices(prices(properties.prices()));
      properties.pools().forEach(pool -> builder.addPool(pool(pool)));
      listeners.orderedStream().forEach(builder::addListener);
      executor.ifAvailable(builder::executor);
      return builder.build();
    }

    @Bean
    ProxyShutdown llmProxyShutdown(LlmProxy llmProxy) {
      return new ProxyShutdown(llmProxy);
    }
  }

  /** The proxy's filter, for the application's proxy or the one built here. */
  @Bean
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnMissingBean(name = "llmProxyFilterRegistration")
  FilterRegistrationBean<LlmProxyFilter> llmProxyFilterRegistration(
      LlmProxy llmProxy, LlmProxyProperties properties) {
    FilterRegistrationBean<LlmProxyFilter> registration =
        new FilterRegistrationBean<>(new LlmProxyFilter(llmProxy, properties.mountPath()));
    registration.setName("llmproxy");
    registration.setAsyncSupported(true);
    registration.addUrlPatterns("/*");
    registration.setOrder(properties.filterOrder());
    return registration;
  }

  private static CredentialStore credentials(
      LlmProxyProperties properties, CredentialStore application) {
    // A pool replaces its provider's shared key: the pool serves whom the application has no key
    // for (the engine asks the credential store first).
    java.util.Set<String> pooled =
        properties.pools().stream()
            .map(LlmProxyProperties.Pool::provider)
            .collect(java.util.stream.Collectors.toSet());
    SharedCredentialStore shared = SharedCredentialStore.empty();
    if (hasText(properties.anthropic().apiKey()) && !pooled.contains("anthropic")) {
      shared = shared.withApiKey(ProviderId.ANTHROPIC, properties.anthropic().apiKey());
    }
    if (hasText(properties.openai().apiKey()) && !pooled.contains("openai")) {
      shared = shared.withApiKey(ProviderId.OPENAI, properties.openai().apiKey());
    }
    return application == null ? shared : CredentialChain.of(application, shared);
  }

  /** An {@link UpstreamPool} from its properties; throws naming what is wrong. */
  static UpstreamPool pool(LlmProxyProperties.Pool configured) {
    if (configured.provider() == null || configured.members().isEmpty()) {
      throw new IllegalArgumentException("llmproxy.pools[]: a pool needs a provider and members");
    }
    UpstreamPool.Builder pool = UpstreamPool.builder(ProviderId.of(configured.provider()));
    if (configured.strategy() != null) {
      pool.strategy(
          PoolStrategy.valueOf(
              configured.strategy().trim().replace('-', '_').toUpperCase(java.util.Locale.ROOT)));
    }
    if (!configured.retryOn().isEmpty()) {
      pool.retryOn(configured.retryOn());
    }
    if (configured.maxTries() != null) {
      pool.maxTries(configured.maxTries());
    }
    if (configured.deadline() != null) {
      pool.deadline(configured.deadline());
    }
    if (configured.cooldown() != null) {
      pool.cooldown(configured.cooldown());
    }
    if (configured.affinityHeader() != null) {
      pool.affinityHeader(configured.affinityHeader());
    }
    configured.aliases().forEach(pool::alias);
    for (LlmProxyProperties.Member member : configured.members()) {
      PoolMember built;
      if (member.apiKey() != null) {
        built = PoolMember.apiKey(member.id(), member.apiKey());
      } else if (member.claudeCredentials() != null) {
        built =
            PoolMember.claudeCredentials(
                member.id(),
                new ClaudeCredentialsFile(
                    java.nio.file.Path.of(member.claudeCredentials()),
                    java.time.Clock.systemUTC()));
      } else {
        throw new IllegalArgumentException(
            "llmproxy.pools[].members[" + member.id() + "]: needs api-key or claude-credentials");
      }
      if (member.baseUrl() != null) {
        built = built.withBaseUrl(member.baseUrl());
      }
      if (member.weight() != null) {
        built = built.withWeight(member.weight());
      }
      pool.addMember(built);
    }
    return pool.build();
  }

  static Tiers tiers(Map<String, LlmProxyProperties.Tier> configured) {
    Tiers tiers = Tiers.defaults();
    for (Map.Entry<String, LlmProxyProperties.Tier> entry : configured.entrySet()) {
      String name = entry.getKey();
      LlmProxyProperties.Tier tier = entry.getValue();
      if (tier.rate() != null || tiers.tier(name).isEmpty()) {
        tiers = tiers.withRate(name, tier.rate() == null ? 0 : tier.rate());
      }
      if (!tier.models().isEmpty()) {
        tiers = tiers.withModels(name, tier.models());
      }
      if (tier.tokenRate() != null) {
        tiers = tiers.withTokenRate(name, tier.tokenRate());
      }
    }
    return tiers;
  }

  static PriceTable prices(Map<String, LlmProxyProperties.Price> configured) {
    PriceTable prices = PriceTable.defaults();
    for (Map.Entry<String, LlmProxyProperties.Price> entry : configured.entrySet()) {
      LlmProxyProperties.Price price = entry.getValue();
      if (price.input() == null || price.output() == null) {
        throw new IllegalArgumentException(
            "llmproxy.prices[" + entry.getKey() + "] needs both input and output");
      }
      prices =
          prices.with(
              entry.getKey(),
              ModelPrice.perMillion(
                  price.input(),
                  price.output(),
                  orDefault(price.cacheWrite(), price.input()),
                  orDefault(price.cacheRead(), price.input())));
    }
    return prices;
  }

  private static boolean hasText(String value) {
    return value != null && !value.isBlank();
  }

  private static <T> T orDefault(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
