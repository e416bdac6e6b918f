package dev.llmproxy.example;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.core.ClaudeCredentialsFile;
import dev.llmproxy.core.CredentialChain;
import dev.llmproxy.core.EncryptedCredentialStore;
import dev.llmproxy.core.IssuedTokens;
import dev.llmproxy.core.MasterKeyset;
import dev.llmproxy.core.PrivateFiles;
import dev.llmproxy.core.SharedCredentialStore;
import dev.llmproxy.jdbc.JdbcBudgetLedger;
import dev.llmproxy.jdbc.JdbcEncryptedKeyStore;
import dev.llmproxy.jdbc.JdbcSchema;
import dev.llmproxy.jdbc.JdbcTokenStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The example's durable state: issued tokens (hashes only), users' encrypted upstream keys and the
 * budget ledger in a database — H2 in {@code LLMPROXY_DATA_DIR} by default, PostgreSQL when {@code
 * LLMPROXY_JDBC_URL} is set — and the master keyset that encrypts the keys. {@code serve} and the
 * CLI open the same database (H2's auto-server mode lets a second process in), so a token issued by
 * {@code tokens issue} works at once on a running server, and counters and spend survive restarts.
 */
final class DataDirState implements AutoCloseable {
  static final String KEYSET_FILE = "master-keyset.json";
  static final String H2_FILE = "llmproxy";

  final HikariDataSource database;
  final IssuedTokens tokens;
  final EncryptedCredentialStore userKeys;
  final SharedCredentialStore sharedKeys;
  final Optional<ClaudeCredentialsFile> claude;
  final JdbcBudgetLedger ledger;

  private DataDirState(
      HikariDataSource database,
      IssuedTokens tokens,
      EncryptedCredentialStore userKeys,
      SharedCredentialStore sharedKeys,
      Optional<ClaudeCredentialsFile> claude,
      JdbcBudgetLedger ledger) {
    this.database = database;
    this.tokens = tokens;
    this.userKeys = userKeys;
    this.sharedKeys = sharedKeys;
    this.claude = claude;
    this.ledger = ledger;
  }

  /** Opens (creating and migrating if needed) the state of {@code config}. */
  static DataDirState open(ExampleConfig config, Clock clock) throws IOException {
    Path dir = config.dataDir();
    PrivateFiles.createDirectory(dir);
    MasterKeyset keyset =
        config.masterKeyset().isPresent()
            ? MasterKeyset.parse(config.masterKeyset().get())
            : MasterKeyset.loadOrGenerate(dir.resolve(KEYSET_FILE));
    HikariDataSource database = database(config);
    IssuedTokens tokens = IssuedTokens.builder(new JdbcTokenStore(database)).clock(clock).build();
    EncryptedCredentialStore userKeys =
        new EncryptedCredentialStore(new JdbcEncryptedKeyStore(database), keyset, clock);
    SharedCredentialStore shared = SharedCredentialStore.empty();
    if (config.anthropicApiKey().isPresent()) {
      shared = shared.withApiKey(ProviderId.ANTHROPIC, config.anthropicApiKey().get());
    }
    if (config.openaiApiKey().isPresent()) {
      shared = shared.withApiKey(ProviderId.OPENAI, config.openaiApiKey().get());
    }
    for (UpstreamsConfig.Upstream upstream : config.compatibleUpstreams()) {
      if (upstream.sharedKey().isPresent()) {
        shared = shared.withApiKey(upstream.upstream().name(), upstream.sharedKey().get());
      }
    }
    Optional<ClaudeCredentialsFile> claude =
        config.claudeCredentials().map(path -> new ClaudeCredentialsFile(path, clock));
    return new DataDirState(
        database,
        tokens,
        userKeys,
        shared,
        claude,
        config.jdbcUrl().isPresent()
            // A shared database: other instances write the ledger too.
            ? new JdbcBudgetLedger(database, config.tiers(), clock)
            // The data directory's own H2: this process is the ledger's only writer.
            : JdbcBudgetLedger.groupCommit(database, config.tiers(), clock));
  }

  /** The configured database, migrated: PostgreSQL by URL, or H2 in the data directory. */
  static HikariDataSource database(ExampleConfig config) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(config.jdbcUrl().orElse(h2Url(config.dataDir())));
    config.jdbcUser().ifPresent(pool::setUsername);
    config.jdbcPassword().ifPresent(pool::setPassword);
    pool.setMaximumPoolSize(16);
    pool.setPoolName("llmproxy");
    // Fail fast while the database is away (503 at once), and never at start-up: the pool
    // reconnects by itself when the database returns.
    pool.setConnectionTimeout(2_000);
    pool.setInitializationFailTimeout(-1);
    pool.setExceptionOverride(new EvictBrokenConnections());
    HikariDataSource dataSource = new HikariDataSource(pool);
    migrateWhenReachable(dataSource);
    return dataSource;
  }

  /**
   * Migrates, waiting up to 30 s for the database: a PostgreSQL still starting, or an H2 file whose
   * previous owner was killed and whose lock is being taken over.
   */
  private static void migrateWhenReachable(HikariDataSource dataSource) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        JdbcSchema.migrate(dataSource);
        return;
      } catch (dev.llmproxy.api.StoreUnavailableException e) {
        if (System.nanoTime() > deadline) {
          dataSource.close();
          throw e;
        }
        log.info("Database not reachable yet ({}); retrying", e.getMessage());
        try {
          Thread.sleep(250); // back off between attempts: this is start-up, not a request
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          dataSource.close();
          throw e;
        }
      } catch (RuntimeException e) {
        dataSource.close();
        throw e;
      }
    }
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DataDirState.class);

  static String h2Url(Path dataDir) {
    return "jdbc:h2:file:"
        + dataDir.toAbsolutePath().resolve(H2_FILE)
        + ";MODE=PostgreSQL;AUTO_SERVER=TRUE;WRITE_DELAY=0"; // a commit is on disk at once
  }

  /** The fallback chain: the user's own key, then the shared key, then the Claude subscription. */
  CredentialStore credentials() {
    return claude.isPresent()
        ? CredentialChain.of(userKeys, sharedKeys, claude.get())
        : CredentialChain.of(userKeys, sharedKeys);
  }

  @Override
  public void close() {
    ledger.close();
    database.close();
  }
}
