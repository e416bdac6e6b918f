package dev.llmproxy.example;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.api.Balance;
import dev.llmproxy.api.BudgetLedger;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.core.PrivateFiles;
import dev.llmproxy.core.credentials.ClaudeCredentialsFile;
import dev.llmproxy.core.credentials.CredentialChain;
import dev.llmproxy.core.credentials.EncryptedCredentialStore;
import dev.llmproxy.core.credentials.MasterKeyset;
import dev.llmproxy.core.credentials.SharedCredentialStore;
import dev.llmproxy.core.ledger.FileBudgetLedger;
import dev.llmproxy.core.tokens.IssuedTokens;
import dev.llmproxy.jdbc.FailFastDataSource;
import dev.llmproxy.jdbc.JdbcBudgetLedger;
import dev.llmproxy.jdbc.JdbcEncryptedKeyStore;
import dev.llmproxy.jdbc.JdbcSchema;
import dev.llmproxy.jdbc.JdbcTokenStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
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
  static final String LEDGER_DIR = "ledger";

  final HikariDataSource database;

  /** The database as the stores use it: refused at once while it is unreachable. */
  final javax.sql.DataSource stores;

  final IssuedTokens tokens;
  final EncryptedCredentialStore userKeys;
  final SharedCredentialStore sharedKeys;
  final Optional<ClaudeCredentialsFile> claude;
  private final ExampleConfig config;
  private final Clock clock;
  private BudgetLedger ledger; // opened by the server only: a file ledger has one writer

  private DataDirState(
      HikariDataSource database,
      javax.sql.DataSource stores,
      IssuedTokens tokens,
      EncryptedCredentialStore userKeys,
      SharedCredentialStore sharedKeys,
      Optional<ClaudeCredentialsFile> claude,
      ExampleConfig config,
      Clock clock) {
    this.database = database;
    this.stores = stores;
    this.tokens = tokens;
    this.userKeys = userKeys;
    this.sharedKeys = sharedKeys;
    this.claude = claude;
    this.config = config;
    this.clock = clock;
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
    javax.sql.DataSource stores = FailFastDataSource.wrap(database);
    IssuedTokens.Builder issued = IssuedTokens.builder(new JdbcTokenStore(stores)).clock(clock);
    config.teams().forEach(issued::team);
    IssuedTokens tokens = issued.build();
    EncryptedCredentialStore userKeys =
        new EncryptedCredentialStore(new JdbcEncryptedKeyStore(stores), keyset, clock);
    SharedCredentialStore shared = SharedCredentialStore.empty();
    if (config.anthropicApiKey().isPresent() && !config.pooled(ProviderId.ANTHROPIC)) {
      shared = shared.withApiKey(ProviderId.ANTHROPIC, config.anthropicApiKey().get());
    }
    if (config.openaiApiKey().isPresent() && !config.pooled(ProviderId.OPENAI)) {
      shared = shared.withApiKey(ProviderId.OPENAI, config.openaiApiKey().get());
    }
    for (UpstreamsConfig.Upstream upstream : config.compatibleUpstreams()) {
      if (upstream.sharedKey().isPresent() && !config.pooled(upstream.upstream().name())) {
        shared = shared.withApiKey(upstream.upstream().name(), upstream.sharedKey().get());
      }
    }
    Optional<ClaudeCredentialsFile>
        claude = // a pool replaces every shared credential of its provider
        config
                .claudeCredentials()
                .filter(path -> !config.pooled(ProviderId.ANTHROPIC))
                .map(path -> new ClaudeCredentialsFile(path, clock));
    return new DataDirState(database, stores, tokens, userKeys, shared, claude, config, clock);
  }

  /**
   * The budget ledger, for the server: in the shared database when {@code LLMPROXY_JDBC_URL} is set
   * (other instances write it too), else a journal in the data directory, which this process alone
   * writes, so a reservation costs one file append rather than a database commit.
   */
  synchronized BudgetLedger ledger() throws IOException {
    if (ledger == null) {
      if (config.jdbcUrl().isPresent()) {
        ledger =
            JdbcBudgetLedger.builder(stores)
                .instanceName(instanceName())
                .lease(config.holdLease())
                .build();
      } else {
        Path dir = config.dataDir().resolve(LEDGER_DIR);
        if (!Files.exists(dir)) {
          carryOverSqlLedger(dir);
        }
        ledger = FileBudgetLedger.open(dir);
      }
    }
    return ledger;
  }

  /**
   * This instance's name on the shared database: its host, port and data directory, which no other
   * live instance shares and which a restart keeps, so a restarted instance reclaims the holds its
   * killed run left at once.
   */
  private String instanceName() throws IOException {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    String name = host + ":" + config.port() + ":" + config.dataDir().toRealPath();
    if (name.length() <= 200) {
      return name;
    }
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "sha256:" + java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Data directories from before the file ledger kept it in H2: its balances (holds booked whole,
   * as after a crash) start the new ledger, so an upgrade gives no account its budget back.
   */
  private void carryOverSqlLedger(Path dir) throws IOException {
    Map<String, Balance> balances = new HashMap<>();
    try (Connection c = database.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT account_id, used_requests + held_requests, spent_nano + held_nano"
                    + " FROM llmproxy_accounts");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        balances.put(rows.getString(1), new Balance(rows.getLong(2), rows.getLong(3)));
      }
    } catch (SQLException e) {
      throw new IOException("could not read the budget ledger kept in H2", e);
    }
    if (!balances.isEmpty()) {
      FileBudgetLedger.importBalances(dir, balances);
      log.info("Carried {} account balance(s) over from H2 into {}", balances.size(), dir);
    }
  }

  /** Every account's balance, read without opening the ledger for writing (the CLI's view). */
  Map<String, Balance> balances() throws IOException {
    if (config.jdbcUrl().isEmpty()) {
      Path dir = config.dataDir().resolve(LEDGER_DIR);
      return Files.exists(dir) ? FileBudgetLedger.balances(dir) : Map.of();
    }
    JdbcBudgetLedger shared = new JdbcBudgetLedger(database);
    Map<String, Balance> balances = new HashMap<>();
    for (TokenRecord token : tokens.list()) {
      balances.put(token.id(), shared.balance(token.id()));
    }
    return balances;
  }

  /** The configured database, migrated: PostgreSQL by URL, or H2 in the data directory. */
  static HikariDataSource database(ExampleConfig config) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(
        config.jdbcUrl().isPresent() ? config.jdbcUrl().get() : EmbeddedH2.url(config.dataDir()));
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

  /** The fallback chain: the user's own key, then the shared key, then the Claude subscription. */
  CredentialStore credentials() {
    return claude.isPresent()
        ? CredentialChain.of(userKeys, sharedKeys, claude.get())
        : CredentialChain.of(userKeys, sharedKeys);
  }

  @Override
  public void close() {
    if (ledger instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("Could not close the budget ledger: {}", e.toString());
      }
    }
    database.close();
  }
}
