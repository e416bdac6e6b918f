package dev.llmproxy.example;

import dev.llmproxy.core.credentials.ClaudeCredentialsFile;
import dev.llmproxy.core.credentials.MasterKeyset;
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
        config.anthropicApiKey().isPresent()
            || config.openaiApiKey().isPresent()
            || config.claudeCredentials().isPresent();
    if (!anyShared && !demo) {
      out.println(
          "  note: no shared credential; only users who saved their own key can call upstream");
    }
    return problems == 0 ? 0 : 1;
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
