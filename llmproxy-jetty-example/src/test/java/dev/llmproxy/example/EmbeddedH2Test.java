package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded database's files and its auto-server setting. */
class EmbeddedH2Test {
  @TempDir Path dir;

  /** Its trace file too, which H2 writes only when it has something to say (here, at debug). */
  @Test
  void everyFileH2CreatesThroughTheOwnerOnlyPrefixIs600() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    OwnerOnlyFilePath.register();
    Path sub = dir.resolve("nested");
    String url =
        "jdbc:h2:" + OwnerOnlyFilePath.SCHEME + ":" + sub.resolve("db") + ";TRACE_LEVEL_FILE=3";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t(x INT)");
      s.execute("INSERT INTO t VALUES (1)");
      Map<String, String> modes = modes(dir);
      assertTrue(
          modes.containsKey("nested/db.mv.db") && modes.containsKey("nested/db.trace.db"),
          modes.toString());
      assertOwnerOnly(modes);
      s.execute("SHUTDOWN COMPACT");
    }
    assertOwnerOnly(modes(dir));
  }

  @Test
  void startingTightensH2sFilesAndLeavesTheOperatorsAlone() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    for (String name : new String[] {"llmproxy.mv.db", "llmproxy.trace.db", "notes.txt"}) {
      Files.createFile(
          dir.resolve(name),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    }
    EmbeddedH2.tightenFiles(dir);
    assertEquals("rw-------", mode(dir.resolve("llmproxy.mv.db")));
    assertEquals("rw-------", mode(dir.resolve("llmproxy.trace.db")));
    assertEquals("rw-r--r--", mode(dir.resolve("notes.txt")));
  }

  @Test
  void theAutoServerRunsOnlyWhenH2IsBoundToLoopback() {
    assertTrue(EmbeddedH2.isLoopback("127.0.0.1"));
    assertTrue(EmbeddedH2.isLoopback("::1"));
    assertFalse(EmbeddedH2.isLoopback(null), "unset: H2 binds every interface");
    assertFalse(EmbeddedH2.isLoopback(""));
    assertFalse(EmbeddedH2.isLoopback("0.0.0.0"));
    assertTrue(EmbeddedH2.url(dir, true).contains(";AUTO_SERVER=TRUE"));
    assertFalse(EmbeddedH2.url(dir, false).contains("AUTO_SERVER"));
    assertTrue(EmbeddedH2.url(dir, false).startsWith("jdbc:h2:owner-only:" + dir.toAbsolutePath()));
  }

  private static Map<String, String> modes(Path root) throws Exception {
    Map<String, String> modes = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        if (!path.equals(root)) {
          modes.put(root.relativize(path).toString(), mode(path));
        }
      }
    }
    return modes;
  }

  private static void assertOwnerOnly(Map<String, String> modes) {
    modes.forEach(
        (name, mode) -> assertEquals(name.contains(".") ? "rw-------" : "rwx------", mode, name));
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
