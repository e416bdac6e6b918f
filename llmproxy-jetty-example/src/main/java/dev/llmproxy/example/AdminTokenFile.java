package dev.llmproxy.example;

import dev.llmproxy.api.Secret;
import dev.llmproxy.core.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/** The admin bearer kept in {@code {dataDir}/admin-token}, created (mode 600) on first start. */
final class AdminTokenFile {
  static final String FILE_NAME = "admin-token";

  private AdminTokenFile() {}

  /** The loaded or newly generated token, and whether it was generated just now. */
  record Loaded(Secret token, boolean generated) {}

  static Loaded loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      return new Loaded(Secret.of(Files.readString(file, StandardCharsets.UTF_8).trim()), false);
    }
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    String token = "lp_admin_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    boolean created = PrivateFiles.createIfAbsent(file, token.getBytes(StandardCharsets.UTF_8));
    return created
        ? new Loaded(Secret.of(token), true)
        : new Loaded(Secret.of(Files.readString(file, StandardCharsets.UTF_8).trim()), false);
  }
}
