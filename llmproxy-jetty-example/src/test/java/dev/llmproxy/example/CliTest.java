package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Secret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example's CLI, on the same data directory as a running server. */
class CliTest {
  @TempDir Path dataDir;

  private record Run(int status, String out, String err) {}

  private Run cli(Map<String, String> env, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Main.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("LLMPROXY_DATA_DIR", dataDir.toString());
    env.put("LLMPROXY_PORT", "0");
    return env;
  }

  @Test
  void aTokenIssuedByTheCliWorksOnARunningServerAndRevokedShowsInTheList() throws Exception {
    try (MockWebServer upstream = new MockWebServer()) {
      upstream.start();
      Map<String, String> env = env();
      env.put("LLMPROXY_ANTHROPIC_BASE_URL", upstream.url("/").toString());
      env.put("LLMPROXY_ANTHROPIC_API_KEY", "sk-ant-shared");
      try (ExampleServer server =
          ExampleServer.start(
              ExampleConfig.fromEnvironment(env), Secret.of("admin-x"), List.of())) {
        Run issued =
            cli(env, "tokens", "issue", "--user", "erin", "--tier", "pro", "--max-requests", "5");
        assertEquals(0, issued.status(), issued.err());
        String token = line(issued.out(), "token:");
        String id = line(issued.out(), "id:");

        upstream.enqueue(new MockResponse.Builder().body("{}").build());
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create(server.baseUrl() + "/proxy/anthropic/v1/models"))
                        .header("x-api-key", token)
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());

        Run list = cli(env, "tokens", "list");
        assertTrue(
            list.out().contains(id) && list.out().contains("erin") && list.out().contains("active"),
            list.out());
        assertTrue(list.out().contains(" 1/5 "), "used/max from the shared store: " + list.out());
        assertFalse(list.out().contains(token));

        assertEquals(0, cli(env, "tokens", "revoke", id).status());
        assertTrue(cli(env, "tokens", "list").out().contains("revoked"));
        assertEquals(1, cli(env, "tokens", "revoke", "tok_missing").status());
      }
    }
  }

  @Test
  void invalidIssueOptionsAreRefusedNamingTheField() throws Exception {
    Run run = cli(env(), "tokens", "issue", "--user", "x", "--tier", "platinum");
    assertEquals(2, run.status());
    assertTrue(run.err().contains("tier"), run.err());
    assertEquals(2, cli(env(), "tokens", "issue", "--max-requests", "many").status());
    assertEquals(2, cli(env(), "tokens").status());
    Run scopes = cli(env(), "tokens", "issue", "--user", "x", "--scopes", "inference,root");
    assertEquals(2, scopes.status());
    assertTrue(scopes.err().contains("scopes"), scopes.err());
  }

  @Test
  void issueTakesScopes() throws Exception {
    Run run = cli(env(), "tokens", "issue", "--user", "ci", "--scopes", "models,count_tokens");
    assertEquals(0, run.status(), run.err());
    assertTrue(run.out().contains("scopes: count_tokens,models"), run.out());
  }

  @Test
  void doctorReportsEachSourceWithoutPrintingSecrets() throws Exception {
    Path claude = dataDir.resolve("claude.json");
    String oauth = "sk-ant-oat01-doctor-secret";
    Files.writeString(
        claude,
        "{\"claudeAiOauth\":{\"accessToken\":\""
            + oauth
            + "\",\"expiresAt\":"
            + Instant.now().minusSeconds(5).toEpochMilli()
            + "}}");
    Map<String, String> env = env();
    env.put("LLMPROXY_ANTHROPIC_API_KEY", "sk-ant-shared-doctor-secret");
    env.put("LLMPROXY_CLAUDE_CREDENTIALS", claude.toString());
    Run run = cli(env, "doctor");
    assertTrue(
        run.out().contains("anthropic shared key (LLMPROXY_ANTHROPIC_API_KEY): found"), run.out());
    assertTrue(
        run.out().contains("openai shared key (LLMPROXY_OPENAI_API_KEY):       missing"),
        run.out());
    assertTrue(run.out().contains("): expired"), run.out());
    assertEquals(1, run.status(), "an expired subscription is a problem");
    assertFalse(run.out().contains(oauth));
    assertFalse(run.out().contains("sk-ant-shared-doctor-secret"));

    Files.writeString(claude, "{\"claudeAiOauth\":{}}");
    assertTrue(cli(env, "doctor").out().contains("): no token"));
    Files.delete(claude);
    assertTrue(cli(env, "doctor").out().contains("): missing"));
  }

  @Test
  void infoPrintsTheClientSetup() throws Exception {
    Map<String, String> env = env();
    env.put("LLMPROXY_PORT", "9999");
    Run run = cli(env, "info");
    assertEquals(0, run.status());
    assertTrue(
        run.out().contains("ANTHROPIC_BASE_URL=http://localhost:9999/proxy/anthropic"), run.out());
  }

  @Test
  void aDataDirectoryFromBeforeTheFileLedgerKeepsItsBalances() throws Exception {
    ExampleConfig config = ExampleConfig.fromEnvironment(env());
    try (DataDirState old = DataDirState.open(config, java.time.Clock.systemUTC());
        java.sql.Connection c = old.database.getConnection();
        java.sql.Statement insert = c.createStatement()) {
      insert.executeUpdate(
          "INSERT INTO llmproxy_accounts (account_id, used_requests, held_requests, spent_nano,"
              + " held_nano) VALUES ('tok_old', 3, 1, 500, 200)");
    }
    for (int open = 0; open < 2; open++) { // carried over once, then kept by the file ledger
      try (DataDirState state = DataDirState.open(config, java.time.Clock.systemUTC())) {
        assertEquals(
            new dev.llmproxy.api.Balance(4, 700),
            state.ledger().balance("tok_old"),
            "open " + open);
      }
    }
  }

  @Test
  void keysetRotateKeepsStoredKeysReadable() throws Exception {
    Map<String, String> env = env();
    ExampleConfig config = ExampleConfig.fromEnvironment(env);
    DataDirState before = DataDirState.open(config, java.time.Clock.systemUTC());
    before.userKeys.put(
        "alice", dev.llmproxy.api.ProviderId.ANTHROPIC, Secret.of("sk-ant-before-rotation"));

    Run run = cli(env, "keyset", "rotate");
    assertEquals(0, run.status(), run.err());
    assertTrue(run.out().contains("2 keys"), run.out());

    DataDirState after = DataDirState.open(config, java.time.Clock.systemUTC());
    dev.llmproxy.api.UpstreamCredential.ApiKey key =
        (dev.llmproxy.api.UpstreamCredential.ApiKey)
            after
                .userKeys
                .find(
                    dev.llmproxy.api.Principal.user("alice", "free"),
                    dev.llmproxy.api.ProviderId.ANTHROPIC)
                .orElseThrow();
    assertEquals("sk-ant-before-rotation", key.key().reveal());
  }

  private static String line(String output, String prefix) {
    return output
        .lines()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " in " + output))
        .substring(prefix.length())
        .trim();
  }
}
