package dev.llmproxy.example;

import dev.llmproxy.api.Secret;
import dev.llmproxy.core.PrivateFiles;
import dev.llmproxy.core.credentials.MasterKeyset;
import dev.llmproxy.core.tokens.IssuedTokens;
import dev.llmproxy.core.tokens.TokenSpec;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The example's command line: {@code serve [--demo]} (the default) and {@code info}. Configured by
 * {@code LLMPROXY_*} environment variables.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err)
      throws Exception {
    String command = args.length == 0 ? "serve" : args[0];
    List<String> options = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
    ExampleConfig config;
    try {
      config = ExampleConfig.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      err.println("llmproxy: " + e.getMessage());
      return 2;
    }
    switch (command) {
      case "serve" -> {
        if (!options.isEmpty() && !options.equals(List.of("--demo"))) {
          return usage(err);
        }
        serve(config, options.contains("--demo"), out);
        return 0;
      }
      case "info" -> {
        printSetup(out, "http://localhost:" + (config.port() == 0 ? 8080 : config.port()));
        return 0;
      }
      case "tokens" -> {
        return TokensCommand.run(options, config, out, err);
      }
      case "doctor" -> {
        if (!options.isEmpty() && !options.equals(List.of("--demo"))) {
          return usage(err);
        }
        return DoctorCommand.run(config, options.contains("--demo"), out);
      }
      case "keyset" -> {
        return rotateKeyset(options, config, out, err);
      }
      case "help", "--help", "-h" -> {
        usage(out);
        return 0;
      }
      default -> {
        return usage(err);
      }
    }
  }

  private static void serve(ExampleConfig config, boolean demo, PrintStream out) throws Exception {
    PrivateFiles.createDirectory(config.dataDir());
    DemoUpstream upstream = null;
    if (demo) {
      upstream = DemoUpstream.start();
      config = config.withAnthropic(upstream.baseUrl(), DemoUpstream.DEMO_KEY);
    }
    Secret adminToken;
    boolean generated = false;
    if (config.adminToken().isPresent()) {
      adminToken = Secret.of(config.adminToken().get());
    } else {
      AdminTokenFile.Loaded loaded = AdminTokenFile.loadOrCreate(config.dataDir());
      adminToken = loaded.token();
      generated = loaded.generated();
    }
    try (ExampleServer server = ExampleServer.start(config, adminToken, List.of())) {
      // SIGTERM (or Ctrl-C): drain the exchanges in flight, settle and audit them, then exit;
      // the database closes last, with the pool.
      if (config.jdbcUrl().isEmpty()) {
        EmbeddedH2.leaveClosingToTheHost();
      }
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> closeQuietly(server), "llmproxy-shutdown"));
      out.println("llmproxy listening on " + server.baseUrl());
      out.println(
          "  ("
              + String.join(", ", server.listening())
              + (server.loopbackOnly()
                  ? ": this machine only; LLMPROXY_HOST=0.0.0.0 accepts other machines, as a"
                      + " container needs)"
                  : ")"));
      printSetup(out, server.baseUrl());
      if (generated) {
        out.println();
        out.println("Admin token (shown once; saved in the data directory):");
        out.println("  " + adminToken.reveal());
      }
      out.println();
      out.println("Issue a proxy token:");
      // The token itself only when it was just printed above; never one read from the
      // environment or the file, which a log of this output must not capture.
      String bearer =
          generated
              ? adminToken.reveal()
              : config.adminToken().isPresent()
                  ? "$LLMPROXY_ADMIN_TOKEN"
                  : "$(cat " + config.dataDir().resolve(AdminTokenFile.FILE_NAME) + ")";
      out.println(
          "  curl -s -X POST -H \"Authorization: Bearer "
              + bearer
              + "\" -d '{\"user\":\"alice\"}' "
              + server.baseUrl()
              + "/admin/tokens");
      if (demo) {
        IssuedTokens.Issued token =
            server.tokens().issue(TokenSpec.user("demo", config.defaultTier()));
        out.println();
        out.println("DEMO MODE: Anthropic is a built-in fake on " + upstream.baseUrl() + ".");
        out.println("Demo proxy token: " + token.token().reveal());
        out.println("Try it:");
        out.println(
            "  curl -N "
                + server.baseUrl()
                + "/proxy/anthropic/v1/messages -H 'x-api-key: "
                + token.token().reveal()
                + "' -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json'"
                + " -d '{\"model\":\"claude-demo\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello through the proxy\"}]}'");
      }
      out.flush();
      server.join();
    } finally {
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  private static void closeQuietly(ExampleServer server) {
    try {
      server.close();
    } catch (Exception e) {
      System.err.println("llmproxy: shutdown failed: " + e);
    }
  }

  /**
   * {@code keyset rotate}: adds a new primary key to the data directory's master keyset. Keys saved
   * from now on (after a restart of {@code serve}) use it; stored keys still decrypt.
   */
  private static int rotateKeyset(
      List<String> options, ExampleConfig config, PrintStream out, PrintStream err)
      throws java.io.IOException {
    if (!options.equals(List.of("rotate"))) {
      return usage(err);
    }
    if (config.masterKeyset().isPresent()) {
      err.println(
          "llmproxy keyset rotate: the keyset comes from LLMPROXY_MASTER_KEYSET; rotate it where"
              + " it is kept (add a key with Tink's tinkey and make it primary)");
      return 2;
    }
    java.nio.file.Path file = config.dataDir().resolve(DataDirState.KEYSET_FILE);
    MasterKeyset rotated = MasterKeyset.loadOrGenerate(file).rotate();
    rotated.save(file);
    out.println(
        "rotated "
            + file
            + ": "
            + rotated.size()
            + " keys; restart serve to write with the new one");
    return 0;
  }

  static void printSetup(PrintStream out, String baseUrl) {
    out.println("Point your clients at the proxy:");
    out.println("  ANTHROPIC_BASE_URL=" + baseUrl + "/proxy/anthropic");
    out.println("  ANTHROPIC_API_KEY=<your proxy token>");
    out.println("  OPENAI_BASE_URL=" + baseUrl + "/proxy/openai/v1");
    out.println("  OPENAI_API_KEY=<your proxy token>");
    out.println("Save your own upstream key at " + baseUrl + "/me/proxy");
  }

  private static int usage(PrintStream out) {
    out.println(
        "usage: java -jar llmproxy-jetty-example.jar"
            + " [serve [--demo] | info | tokens issue|list|revoke … | doctor [--demo] | keyset rotate"
            + " | help]");
    return 2;
  }
}
