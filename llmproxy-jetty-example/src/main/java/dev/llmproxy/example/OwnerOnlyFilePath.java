package dev.llmproxy.example;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * H2's file system with every file it creates owner-only (600) from the first byte: the database
 * ({@code .mv.db}), the lock file that holds the auto-server's address and key ({@code .lock.db}),
 * the trace file ({@code .trace.db}) and whatever a compaction writes. H2 creates files with the
 * process umask (usually 644), and a process cannot change its umask from Java, so the files are
 * created here first, with the right mode, before H2 opens them; a file that already exists keeps
 * its mode, which {@link #tighten} fixes on every start. Temporary files need nothing: H2 makes
 * them with {@code Files.createTempFile}, which is owner-only already.
 *
 * <p>Used through the URL prefix {@value #SCHEME}{@code :}, e.g. {@code
 * jdbc:h2:owner-only:/data/llmproxy}; {@link #register()} makes H2 know it.
 */
public final class OwnerOnlyFilePath extends FilePathWrapper {
  static final String SCHEME = "owner-only";
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  /** For H2, which creates one instance per path reflectively. */
  public OwnerOnlyFilePath() {}

  /** Makes the {@value #SCHEME} prefix known to H2; idempotent. */
  static void register() {
    FilePath.register(new OwnerOnlyFilePath());
  }

  /** Sets {@code file} to 600 (a directory to 700) if it exists and allows more. */
  static void tighten(Path file) throws IOException {
    if (POSIX && Files.exists(file)) {
      Set<PosixFilePermission> wanted = Files.isDirectory(file) ? DIRECTORY : FILE;
      if (!Files.getPosixFilePermissions(file).equals(wanted)) {
        Files.setPosixFilePermissions(file, wanted);
      }
    }
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public boolean createFile() {
    try {
      Files.createFile(path(), attributes(FILE));
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      return getBase().createFile(); // H2's own retries, then its own error
    }
  }

  @Override
  public void createDirectory() {
    try {
      Files.createDirectory(path(), attributes(DIRECTORY));
    } catch (IOException e) {
      getBase().createDirectory(); // exists already, or H2's own error
    }
  }

  @Override
  public OutputStream newOutputStream(boolean append) throws IOException {
    createIfAbsent();
    return getBase().newOutputStream(append);
  }

  @Override
  public FileChannel open(String mode) throws IOException {
    if (mode.contains("w")) {
      createIfAbsent();
    }
    return getBase().open(mode);
  }

  private void createIfAbsent() throws IOException {
    Path file = path();
    if (!Files.exists(file)) {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent, attributes(DIRECTORY));
      }
      try {
        Files.createFile(file, attributes(FILE));
      } catch (FileAlreadyExistsException e) {
        // created concurrently: it was created owner-only too, or is tightened on start
      }
    }
  }

  private Path path() {
    return Path.of(getBase().toString());
  }

  private static FileAttribute<?>[] attributes(Set<PosixFilePermission> permissions) {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
        : new FileAttribute<?>[0];
  }
}
