package dev.llmproxy.core.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes (this JVM and a child JVM) issue and revoke tokens in one token file at the same
 * time, as {@code serve} and the CLI do: the file lock must lose nothing.
 */
class CrossProcessStoreTest {
  private static final int PER_PROCESS = 40;

  @TempDir Path dir;

  /** The child process: issues tokens and revokes every fourth one. */
  public static void main(String[] args) {
    IssuedTokens tokens =
        IssuedTokens.builder(TokenStores.file(Path.of(args[0]))).clock(Clock.systemUTC()).build();
    for (int i = 0; i < PER_PROCESS; i++) {
      IssuedTokens.Issued issued = tokens.issue(TokenSpec.user("child-" + i, "free"));
      if (i % 4 == 0) {
        tokens.revoke(issued.record().id());
      }
    }
  }

  @Test
  void concurrentWritersInTwoProcessesLoseNothing() throws Exception {
    Path file = dir.resolve("tokens.json");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CrossProcessStoreTest.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();

    IssuedTokens tokens =
        IssuedTokens.builder(TokenStores.file(file)).clock(Clock.systemUTC()).build();
    for (int i = 0; i < PER_PROCESS; i++) {
      IssuedTokens.Issued issued = tokens.issue(TokenSpec.user("parent-" + i, "free"));
      if (i % 4 == 0) {
        tokens.revoke(issued.record().id());
      }
    }
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not finish");
    assertEquals(
        0, child.exitValue(), "child failed: see " + dir.resolve("child.log") + File.separator);

    List<dev.llmproxy.api.TokenRecord> all = TokenStores.file(file).list();
    assertEquals(2 * PER_PROCESS, all.size(), "every insert from both processes survives");
    Set<String> users = new HashSet<>();
    all.forEach(record -> users.add(record.user()));
    assertEquals(2 * PER_PROCESS, users.size());
    assertEquals(
        2 * (PER_PROCESS / 4), all.stream().filter(dev.llmproxy.api.TokenRecord::revoked).count());
  }
}
