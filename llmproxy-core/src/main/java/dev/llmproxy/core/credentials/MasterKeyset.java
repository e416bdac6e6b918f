package dev.llmproxy.core.credentials;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.llmproxy.core.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * The Tink AES-256-GCM keyset that encrypts per-user upstream keys. Load it from a file or an
 * environment variable (Tink's JSON keyset format), or let {@link #loadOrGenerate} create one
 * (owner-only file). {@link #rotate} adds a new primary key: new writes use it, and ciphertexts
 * made under older keys still decrypt, because the keyset keeps them.
 *
 * <p>The keyset is plaintext key material: keep the file owner-only, or keep it in a KMS and pass
 * it in from there.
 */
public final class MasterKeyset {
  static {
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final KeysetHandle handle;

  private MasterKeyset(KeysetHandle handle) {
    this.handle = handle;
  }

  /** A new keyset with one AES-256-GCM key. */
  public static MasterKeyset generate() {
    try {
      return new MasterKeyset(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a keyset", e);
    }
  }

  /** Parses a keyset in Tink's JSON format. The message of a failure never contains key bytes. */
  public static MasterKeyset parse(String json) {
    try {
      return new MasterKeyset(
          TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a valid Tink JSON keyset", e);
    }
  }

  /**
   * Loads the keyset in {@code file}, generating and saving (mode 600) a new one if absent. Two
   * processes starting together on an empty directory agree on one keyset: the file is created only
   * if it does not exist, and the loser reads the winner's.
   */
  public static MasterKeyset loadOrGenerate(Path file) throws IOException {
    if (!Files.exists(file)) {
      PrivateFiles.createIfAbsent(file, generate().toJson().getBytes(StandardCharsets.UTF_8));
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** This keyset plus a new AES-256-GCM key that becomes primary. */
  public MasterKeyset rotate() {
    try {
      return new MasterKeyset(
          KeysetHandle.newBuilder(handle)
              .addEntry(
                  KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                      .withRandomId()
                      .makePrimary())
              .build());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot rotate the keyset", e);
    }
  }

  /** Writes this keyset to {@code file} (owner-only, atomically). */
  public void save(Path file) throws IOException {
    PrivateFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
  }

  /** The number of keys; rotation adds one. */
  public int size() {
    return handle.size();
  }

  String toJson() {
    try {
      return TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot serialise the keyset", e);
    }
  }

  Aead aead() {
    try {
      return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("keyset holds no usable AEAD key", e);
    }
  }

  @Override
  public String toString() {
    return "MasterKeyset[" + size() + " keys]";
  }
}
