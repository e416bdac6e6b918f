package dev.llmproxy.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded H2 database in the data directory, kept private: its files owner-only ({@link
 * OwnerOnlyFilePath}) and its auto-server, which lets the CLI open the database while {@code serve}
 * has it, listening on loopback only.
 *
 * <p>H2 starts the auto-server with {@code -tcpAllowOthers} on every interface; only the system
 * property {@code h2.bindAddress}, which H2 reads once when its {@code SysProperties} class is
 * first used, narrows that. It is set here to the loopback address before H2 is touched, unless the
 * operator set it. If H2 was used earlier in this JVM without it, or the operator chose an address
 * that is not loopback, the auto-server stays off: the server still works, but the CLI cannot open
 * the database while it runs.
 *
 * <p>H2 closes a database from a shutdown hook of its own, concurrently with the example's, which
 * drains exchanges first and closes the pool, and with it the database, last: {@code serve} lets
 * its own hook do it ({@link #leaveClosingToTheHost()}).
 */
final class EmbeddedH2 {
  static final String FILE_NAME = "llmproxy";
  static final String BIND_ADDRESS_PROPERTY = "h2.bindAddress";

  private EmbeddedH2() {}

  /** The JDBC URL of the database in {@code dataDir}, after tightening its existing files. */
  static String url(Path dataDir) {
    if (System.getProperty(BIND_ADDRESS_PROPERTY) == null) {
      System.setProperty(BIND_ADDRESS_PROPERTY, InetAddress.getLoopbackAddress().getHostAddress());
    }
    OwnerOnlyFilePath.register();
    tightenFiles(dataDir);
    boolean autoServer = isLoopback(org.h2.engine.SysProperties.BIND_ADDRESS);
    if (!autoServer && !warned) {
      warned = true;
      log.warn(
          "H2's bind address is '{}', not loopback: its auto-server stays off, so the CLI cannot"
              + " open the database while serve runs",
          org.h2.engine.SysProperties.BIND_ADDRESS);
    }
    return url(dataDir, autoServer);
  }

  static String url(Path dataDir, boolean autoServer) {
    return "jdbc:h2:"
        + OwnerOnlyFilePath.SCHEME
        + ":"
        + dataDir.toAbsolutePath().resolve(FILE_NAME)
        + ";MODE=PostgreSQL;WRITE_DELAY=0" // a commit is on disk at once
        // H2 refuses DB_CLOSE_ON_EXIT=FALSE with its auto-server: see leaveClosingToTheHost().
        + (autoServer ? ";AUTO_SERVER=TRUE" : ";DB_CLOSE_ON_EXIT=FALSE");
  }

  /**
   * Leaves closing the database to this process's own shutdown, which closes the pool after the
   * drain: removes H2's shutdown hook, which would otherwise close every open database at the
   * signal, under the exchanges and admin calls still running. (The documented way, {@code
   * DB_CLOSE_ON_EXIT=FALSE}, is refused together with {@code AUTO_SERVER=TRUE}.) Call once the
   * database is open, as H2 adds its hook with the first database. Returns whether the hook was
   * removed; if H2 changed and it cannot be, H2 closes the database at the signal as before, and
   * this logs why.
   */
  static boolean leaveClosingToTheHost() {
    try {
      java.lang.reflect.Field hook =
          Class.forName("org.h2.engine.OnExitDatabaseCloser").getDeclaredField("INSTANCE");
      hook.setAccessible(true);
      return Runtime.getRuntime().removeShutdownHook((Thread) hook.get(null));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("H2 will close the database at shutdown, ahead of the drain: {}", e.toString());
      return false;
    }
  }

  /** Whether {@code address} (H2's effective bind address) is a loopback address. */
  static boolean isLoopback(String address) {
    if (address == null || address.isBlank()) {
      return false; // H2 binds every interface
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Sets H2's files already in {@code dataDir} (written by an older version, or copied in) to 600
   * on every start. Only H2's own files: the data directory may hold an operator's other files.
   */
  static void tightenFiles(Path dataDir) {
    if (!Files.isDirectory(dataDir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dataDir, FILE_NAME + ".*")) {
      for (Path file : files) {
        if (Files.isRegularFile(file)) {
          OwnerOnlyFilePath.tighten(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not make the database files in " + dataDir + " private", e);
    }
  }

  private static volatile boolean warned;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EmbeddedH2.class);
}
