package dev.llmproxy.springexample;

import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.api.TokenResolution;
import dev.llmproxy.api.TokenResolver;
import dev.llmproxy.core.credentials.EncryptedCredentialStore;
import dev.llmproxy.core.credentials.KeyFormats;
import dev.llmproxy.core.credentials.MasterKeyset;
import dev.llmproxy.jdbc.JdbcBudgetLedger;
import dev.llmproxy.jdbc.JdbcSchema;
import dev.llmproxy.servlet.MyKeysServlet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;

/**
 * What this application gives llmproxy; the starter does the rest (the proxy, its filter under
 * {@code /proxy}, shutdown). The {@link TokenResolver} reads the app's own {@code users} table;
 * users' own upstream keys live encrypted in its {@code user_upstream_keys} table; budgets and rate
 * windows in llmproxy's ledger tables on the same database.
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

  /** A caller's token is looked up by hash in {@code users}; the user's plan is its tier. */
  @Bean
  TokenResolver tokenResolver(Users users) {
    return credential -> {
      try {
        return users
            .findByToken(credential.token())
            .map(user -> TokenResolution.authenticated(Principal.user(user.id(), user.plan())))
            .orElse(TokenResolution.rejected(TokenResolution.Reason.UNKNOWN));
      } catch (DataAccessException e) {
        throw new StoreUnavailableException("the users table is unavailable", e);
      }
    };
  }

  /** The key that encrypts users' upstream keys: generated on first start, owner-only. */
  @Bean
  MasterKeyset masterKeyset(@Value("${app.data-dir}") Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    return MasterKeyset.loadOrGenerate(dataDir.resolve("master-keyset.json"));
  }

  /**
   * Users' own keys: the library's Tink store over the app's table. Asked first; the starter's
   * shared keys ({@code llmproxy.anthropic.api-key}) answer for users without one.
   */
  @Bean
  EncryptedCredentialStore userKeys(UpstreamKeysTable table, MasterKeyset keyset) {
    return new EncryptedCredentialStore(table, keyset, Clock.systemUTC());
  }

  /** Budgets and rate windows in llmproxy's tables beside the app's. */
  @Bean(destroyMethod = "close")
  BudgetLedger budgetLedger(DataSource dataSource) {
    JdbcSchema.migrate(dataSource);
    return new JdbcBudgetLedger(dataSource);
  }

  /** {@code GET/PUT/DELETE /api/v1/me/keys/{provider}}: a user manages their own key. */
  @Bean
  ServletRegistrationBean<MyKeysServlet> myKeys(
      TokenResolver tokenResolver, EncryptedCredentialStore userKeys) {
    return new ServletRegistrationBean<>(
        new MyKeysServlet(tokenResolver, userKeys, KeyFormats.defaults()), "/api/v1/me/keys/*");
  }
}
