package dev.llmproxy.core.internal.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmproxy.api.StoreUnavailableException;
import dev.llmproxy.core.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A small table of rows kept as a JSON array in one owner-only file, shared safely by several
 * processes on the same data directory (the server and the CLI): every change takes an exclusive
 * file lock, re-reads the file, applies the change and replaces the file atomically; reads pick up
 * another process's changes by checking the file's size and modification time.
 *
 * <p>Meant for the embedded default's few hundred rows, not for large tables: the JDBC stores are
 * the scalable option.
 */
public final class JsonRowsFile<K, T> {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

  private final Path file;
  private final Path lockFile;
  private final Function<JsonNode, T> decode;
  private final Function<T, ObjectNode> encode;
  private final Function<T, K> key;
  private final Object monitor;
  private Map<K, T> rows = new LinkedHashMap<>();

  /** Identity of the file last read: each atomic replace makes a new file (a new inode). */
  private Object seenVersion;

  public JsonRowsFile(
      Path file, Function<JsonNode, T> decode, Function<T, ObjectNode> encode, Function<T, K> key) {
    this.file = file.toAbsolutePath().normalize();
    this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    this.decode = decode;
    this.encode = encode;
    this.key = key;
    this.monitor = MONITORS.computeIfAbsent(this.file, f -> new Object());
  }

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Applies {@code query} to the current rows (reloaded if another process changed them). */
  public <R> R read(Function<Map<K, T>, R> query) {
    synchronized (monitor) {
      try {
        reloadIfChanged();
      } catch (IOException e) {
        throw new StoreUnavailableException("cannot read " + file.getFileName(), e);
      }
      return query.apply(rows);
    }
  }

  /** Applies {@code change} to the rows under an exclusive lock and persists the result. */
  public <R> R update(Function<Map<K, T>, R> change) {
    synchronized (monitor) {
      try {
        PrivateFiles.createDirectory(file.getParent());
        try (FileChannel channel =
                FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock()) {
          seenVersion = null; // under the lock, always re-read: never write back a stale view
          reloadIfChanged();
          Map<K, T> copy = new LinkedHashMap<>(rows);
          R result = change.apply(copy);
          ArrayNode array = MAPPER.createArrayNode();
          copy.values().forEach(row -> array.add(encode.apply(row)));
          PrivateFiles.write(
              file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(array));
          rows = copy;
          remember();
          return result;
        }
      } catch (IOException e) {
        throw new StoreUnavailableException("cannot write " + file.getFileName(), e);
      }
    }
  }

  private void reloadIfChanged() throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      rows = new LinkedHashMap<>();
      seenVersion = null;
      return;
    }
    Object version = version(attributes);
    if (version.equals(seenVersion)) {
      return;
    }
    Map<K, T> loaded = new LinkedHashMap<>();
    try {
      for (JsonNode node : MAPPER.readTree(file.toFile())) {
        T row = decode.apply(node);
        loaded.put(key.apply(row), row);
      }
    } catch (RuntimeException e) {
      throw new IOException("malformed row in " + file.getFileName() + ": " + e.getClass(), e);
    }
    rows = loaded;
    seenVersion = version;
  }

  private void remember() throws IOException {
    seenVersion = version(Files.readAttributes(file, BasicFileAttributes.class));
  }

  private static Object version(BasicFileAttributes attributes) {
    return java.util.Arrays.asList(
        attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
  }
}
