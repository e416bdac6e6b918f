package dev.llmproxy.example;

import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.core.ClaudeCredentialsFile;
import dev.llmproxy.core.CredentialChain;
import dev.llmproxy.core.EncryptedCredentialStore;
import dev.llmproxy.core.EncryptedKeyStores;
import dev.llmproxy.core.IssuedTokens;
import dev.llmproxy.core.MasterKeyset;
import dev.llmproxy.core.PrivateFiles;
import dev.llmproxy.core.SharedCredentialStore;
import dev.llmproxy.core.TokenStores;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * Everything the example keeps in {@code LLMPROXY_DATA_DIR}: issued tokens (hashes only), users'
 * encrypted upstream keys and the master keyset that encrypts them. {@code serve} and the CLI open
 * the same files, so a token issued by {@code tokens issue} works at once on a running server.
 */
final class DataDirState {
  static final String TOKENS_FILE = "tokens.json";
  static final String KEYS_FILE = "user-keys.json";
  static final String KEYSET_FILE = "master-keyset.json";

  final IssuedTokens tokens;
  final EncryptedCredentialStore userKeys;
  final SharedCredentialStore sharedKeys;
  final Optional<ClaudeCredentialsFile> claude;

  private DataDirState(
      IssuedTokens tokens,
      EncryptedCredentialStore userKeys,
      SharedCredentialStore sharedKeys,
      Optional<ClaudeCredentialsFile> claude) {
    this.tokens = tokens;
    this.userKeys = userKeys;
    this.sharedKeys = sharedKeys;
    this.claude = claude;
  }

  /** Opens (creating if needed) the state in {@code config.dataDir()}. */
  static DataDirState open(ExampleConfig config, Clock clock) throws IOException {
    Path dir = config.dataDir();
    PrivateFiles.createDirectory(dir);
    MasterKeyset keyset =
        config.masterKeyset().isPresent()
            ? MasterKeyset.parse(config.masterKeyset().get())
            : MasterKeyset.loadOrGenerate(dir.resolve(KEYSET_FILE));
    IssuedTokens tokens = tokens(config, clock);
    EncryptedCredentialStore userKeys =
        new EncryptedCredentialStore(
            EncryptedKeyStores.file(dir.resolve(KEYS_FILE)), keyset, clock);
    SharedCredentialStore shared = SharedCredentialStore.empty();
    if (config.anthropicApiKey().isPresent()) {
      shared = shared.withApiKey(ProviderId.ANTHROPIC, config.anthropicApiKey().get());
    }
    if (config.openaiApiKey().isPresent()) {
      shared = shared.withApiKey(ProviderId.OPENAI, config.openaiApiKey().get());
    }
    for (UpstreamsConfig.Upstream upstream : config.compatibleUpstreams()) {
      if (upstream.sharedKey().isPresent()) {
        shared = shared.withApiKey(upstream.upstream().name(), upstream.sharedKey().get());
      }
    }
    Optional<ClaudeCredentialsFile> claude =
        config.claudeCredentials().map(path -> new ClaudeCredentialsFile(path, clock));
    return new DataDirState(tokens, userKeys, shared, claude);
  }

  /** Only the issued tokens: what the {@code tokens} command needs, without touching keys. */
  static IssuedTokens tokens(ExampleConfig config, Clock clock) throws IOException {
    PrivateFiles.createDirectory(config.dataDir());
    return IssuedTokens.builder(TokenStores.file(config.dataDir().resolve(TOKENS_FILE)))
        .clock(clock)
        .build();
  }

  /** The fallback chain: the user's own key, then the shared key, then the Claude subscription. */
  CredentialStore credentials() {
    return claude.isPresent()
        ? CredentialChain.of(userKeys, sharedKeys, claude.get())
        : CredentialChain.of(userKeys, sharedKeys);
  }
}
