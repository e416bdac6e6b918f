package dev.llmproxy.example;

import dev.llmproxy.core.credentials.ClaudeCredentialsFile;
import dev.llmproxy.core.credentials.MasterKeyset;
import dev.llmproxy.core.pools.PoolMember;
import dev.llmproxy.core.pools.UpstreamPool;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * {@code doctor}: which upstream credential sources are present and usable — found, no token,
 * expired, missing — and whether the data directory is in order. Never prints a secret.
 */
final class DoctorCommand {
  private DoctorCommand() {}

  static int run(ExampleConfig config, boolean demo, PrintStream out) {
    int problems = 0;
    out.println("llmproxy doctor" + (demo ? " (demo mode)" : ""));
    out.println(
        "  anthropic shared key (LLMPROXY_ANTHROPIC_API_KEY): "
            + (demo
                ? "not needed: serve --demo answers with its built-in fake Anthropic"
                : config.anthropicApiKey().isPresent() ? "found" : "missing"));
    out.println(
        "  openai shared key (LLMPROXY_OPENAI_API_KEY):       "
            + (config.openaiApiKey().isPresent() ? "found" : "missing"));
    if (config.claudeCredentials().isPresent()) {
      Path file = config.claudeCredentials().get();
      ClaudeCredentialsFile.State state =
          new ClaudeCredentialsFile(file, Clock.systemUTC()).check();
      out.println("  claude subscription (" + file + "): " + describe(state));
      problems += state == ClaudeCredentialsFile.State.FOUND ? 0 : 1;
    } else {
      out.println("  claude subscription (LLMPROXY_CLAUDE_CREDENTIALS): not configured");
    }
    problems += pools(config, out);
    Path dir = config.dataDir();
    out.println(
        "  data directory "
            + dir.toAbsolutePath()
            + ": "
            + (Files.isDirectory(dir)
                ? (Files.isWritable(dir) ? "writable" : "NOT writable")
                : "missing (created on first serve)"));
    if (Files.isDirectory(dir) && !Files.isWritable(dir)) {
      problems++;
    }
    if (config.masterKeyset().isPresent()) {
      out.println(
          "  master keyset (LLMPROXY_MASTER_KEYSET): " + keysetState(config.masterKeyset().get()));
    } else {
      Path keyset = dir.resolve(DataDirState.KEYSET_FILE);
      out.println(
          "  master keyset "
              + keyset
              + ": "
              + (Files.exists(keyset) ? "found" : "missing (generated on first serve)"));
    }
    boolean anyShared =
        !config.pools().isEmpty()
            || config.anthropicApiKey().isPresent()
            || config.openaiApiKey().isPresent()
            || config.claudeCredentials().isPresent();
    if (!anyShared && !demo) {
      out.println(
          "  note: no shared credential; only users who saved their own key can call upstream");
    }
    return problems == 0 ? 0 : 1;
  }

  /** Each pool and its members: how each finds its credential and whether it is usable. */
  private static int pools(ExampleConfig config, PrintStream out) {
    if (config.pools().isEmpty()) {
      out.println("  upstream pools (LLMPROXY_POOLS_FILE): none");
      return 0;
    }
    int problems = 0;
    for (UpstreamPool pool : config.pools()) {
      out.println(
          "  pool "
              + pool.provider()
              + ": "
              + pool.strategy().configName()
              + ", max tries "
              + pool.maxTries()
              + ", deadline "
              + pool.deadline().toMillis()
              + " ms, cooldown "
              + pool.cooldown().toMillis()
              + " ms, retry on "
              + new java.util.TreeSet<>(pool.retryOn())
              + (pool.aliases().isEmpty()
                  ? ""
                  : ", aliases " + new java.util.TreeMap<>(pool.aliases()))
              + " (replaces the shared "
              + pool.provider()
              + " credential)");
      for (PoolMember member : pool.members()) {
        String state;
        if (member.credentials() instanceof ClaudeCredentialsFile file) {
          ClaudeCredentialsFile.State found = file.check();
          state = "claude subscription (" + file.file() + "): " + describe(found);
          problems += found == ClaudeCredentialsFile.State.FOUND ? 0 : 1;
        } else {
          state = "api key set";
        }
        out.println(
            "    member "
                + member.id()
                + ": "
                + state
                + member.baseUrl().map(url -> ", base_url " + url).orElse("")
                + (member.weight() == 1 ? "" : ", weight " + member.weight()));
      }
    }
    return problems;
  }

  private static String keysetState(String json) {
    try {
      return "found (" + MasterKeyset.parse(json).size() + " keys)";
    } catch (IllegalArgumentException e) {
      return "INVALID";
    }
  }

  private static String describe(ClaudeCredentialsFile.State state) {
    return switch (state) {
      case FOUND -> "found";
      case NO_TOKEN -> "no token";
      case EXPIRED -> "expired";
      case MISSING -> "missing";
    };
  }
}
