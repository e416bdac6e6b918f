package dev.llmproxy.core;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Owner-only files and directories (mode 600 / 700 where the file system has POSIX permissions),
 * written atomically so a crash never leaves half a file. The file-backed stores, the ledger's
 * journal and the master keyset go through here; public so a host keeping its own secrets beside
 * them (an admin token, a keyset it generates) writes them the same way.
 */
public final class PrivateFiles {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private PrivateFiles() {}

  /** Creates {@code dir} (and parents) readable by the owner only, if it does not exist. */
  public static void createDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir, attributes("rwx------"));
  }

  /**
   * Replaces {@code file} with {@code content} atomically and durably (the data is forced to disk
   * before the rename); the file is owner-only.
   */
  public static void write(Path file, byte[] content) throws IOException {
    Path temp = durableTemp(file, content);
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    forceDirectory(file.toAbsolutePath().getParent());
  }

  /** Makes a rename in {@code dir} durable, where the platform can (Linux can; Windows cannot). */
  private static void forceDirectory(Path dir) {
    try (java.nio.channels.FileChannel channel =
        java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not supported for directories here: the rename is as durable as the platform makes it
    }
  }

  /**
   * Creates {@code file} with {@code content} only if it does not exist yet, atomically: a
   * concurrent creator's file is never replaced. Returns whether this call created it.
   */
  public static boolean createIfAbsent(Path file, byte[] content) throws IOException {
    Path temp = durableTemp(file, content);
    try {
      Files.createLink(file, temp); // fails if the file exists: the first creator wins
      return true;
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return false;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Opens {@code file} for appending, creating it owner-only if it does not exist. A stream, not a
   * channel: interrupting a thread that writes to it does not close it for every other thread.
   */
  public static java.io.FileOutputStream appendStream(Path file) throws IOException {
    try {
      Files.createFile(file, attributes("rw-------"));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // appending to it
    }
    return new java.io.FileOutputStream(file.toFile(), true);
  }

  /** Opens {@code file} for appending, creating it owner-only if it does not exist. */
  public static java.nio.channels.FileChannel openForAppend(Path file) throws IOException {
    return java.nio.channels.FileChannel.open(
        file,
        java.util.Set.of(
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE,
            java.nio.file.StandardOpenOption.APPEND),
        attributes("rw-------"));
  }

  private static Path durableTemp(Path file, byte[] content) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    createDirectory(parent);
    Path temp =
        Files.createTempFile(
            parent, file.getFileName().toString(), ".tmp", attributes("rw-------"));
    try (java.nio.channels.FileChannel channel =
        java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return temp;
  }

  private static FileAttribute<?>[] attributes(String permissions) {
    return POSIX
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
        }
        : new FileAttribute<?>[0];
  }
}
