package dev.llmproxy.example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The example's data directory: created owner-only, secret files written mode 600. */
final class DataDir {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private DataDir() {}

  static void create(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (POSIX) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  /** Writes {@code content} to a new file readable by the owner only, atomically. */
  static void writeSecretFile(Path file, String content) throws IOException {
    create(file.getParent());
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    FileAttribute<?>[] attributes =
        POSIX
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(
                  Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))
            }
            : new FileAttribute<?>[0];
    Files.createFile(temp, attributes);
    Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.WRITE);
    Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
