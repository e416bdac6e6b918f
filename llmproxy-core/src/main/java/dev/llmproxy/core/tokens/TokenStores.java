package dev.llmproxy.core.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmproxy.api.BudgetPeriod;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Scopes;
import dev.llmproxy.api.TokenRecord;
import dev.llmproxy.api.TokenStore;
import dev.llmproxy.core.internal.json.JsonRowsFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The built-in {@link TokenStore}s: in memory, and one JSON file for the embedded default. */
public final class TokenStores {
  private TokenStores() {}

  /** A store that lives as long as the JVM; for tests and ephemeral setups. */
  public static TokenStore inMemory() {
    return new InMemory();
  }

  /** A store in {@code file} (created owner-only), shared safely with other processes. */
  public static TokenStore file(Path file) {
    return new FileBacked(file);
  }

  private static final Comparator<TokenRecord> OLDEST_FIRST =
      Comparator.comparing(TokenRecord::createdAt).thenComparing(TokenRecord::id);

  private static final class InMemory implements TokenStore {
    private final Map<String, TokenRecord> byId = new ConcurrentHashMap<>();
    private final Map<String, String> idByHash = new ConcurrentHashMap<>();

    @Override
    public void insert(TokenRecord record) {
      if (idByHash.putIfAbsent(record.tokenHash(), record.id()) != null
          || byId.putIfAbsent(record.id(), record) != null) {
        throw new IllegalStateException("duplicate token " + record.id());
      }
    }

    @Override
    public Optional<TokenRecord> findByHash(String tokenHash) {
      String id = idByHash.get(tokenHash);
      return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    @Override
    public Optional<TokenRecord> findById(String id) {
      return Optional.ofNullable(byId.get(id));
    }

    @Override
    public List<TokenRecord> list() {
      List<TokenRecord> all = new ArrayList<>(byId.values());
      all.sort(OLDEST_FIRST);
      return all;
    }

    @Override
    public boolean revoke(String id) {
      return byId.computeIfPresent(id, (i, record) -> record.asRevoked()) != null;
    }
  }

  private static final class FileBacked implements TokenStore {
    private final JsonRowsFile<String, TokenRecord> rows;

    FileBacked(Path file) {
      this.rows = new JsonRowsFile<>(file, FileBacked::decode, FileBacked::encode, TokenRecord::id);
    }

    @Override
    public void insert(TokenRecord record) {
      rows.update(
          all -> {
            boolean duplicate =
                all.containsKey(record.id())
                    || all.values().stream()
                        .anyMatch(r -> r.tokenHash().equals(record.tokenHash()));
            if (duplicate) {
              throw new IllegalStateException("duplicate token " + record.id());
            }
            return all.put(record.id(), record);
          });
    }

    @Override
    public Optional<TokenRecord> findByHash(String tokenHash) {
      return rows.read(
          all -> all.values().stream().filter(r -> r.tokenHash().equals(tokenHash)).findFirst());
    }

    @Override
    public Optional<TokenRecord> findById(String id) {
      return rows.read(all -> Optional.ofNullable(all.get(id)));
    }

    @Override
    public List<TokenRecord> list() {
      return rows.read(all -> all.values().stream().sorted(OLDEST_FIRST).toList());
    }

    @Override
    public boolean revoke(String id) {
      return rows.update(all -> all.computeIfPresent(id, (i, r) -> r.asRevoked()) != null);
    }

    private static ObjectNode encode(TokenRecord r) {
      ObjectNode node = JsonRowsFile.object();
      node.put("id", r.id());
      node.put("token_sha256", r.tokenHash());
      node.put("user", r.user());
      node.put("kind", r.kind().name().toLowerCase(java.util.Locale.ROOT));
      node.put("tier", r.tier());
      node.put("created_at", r.createdAt().toString());
      r.expiresAt().ifPresent(e -> node.put("expires_at", e.toString()));
      r.maxRequests().ifPresent(m -> node.put("max_requests", m));
      r.maxSpendNanoUsd().ifPresent(m -> node.put("max_spend_nano_usd", m));
      r.models().forEach(node.withArray("models")::add);
      new TreeSet<>(r.providers().stream().map(ProviderId::value).toList())
          .forEach(node.withArray("providers")::add);
      node.put("revoked", r.revoked());
      new TreeSet<>(r.scopes()).forEach(node.withArray("scopes")::add);
      if (!r.period().isLifetime()) {
        node.put("budget_period", r.period().toString());
      }
      r.team().ifPresent(team -> node.put("team", team));
      r.maxTokensPerMinute().ifPresent(m -> node.put("max_tokens_per_minute", m));
      return node;
    }

    private static TokenRecord decode(JsonNode n) {
      List<String> models = new ArrayList<>();
      n.path("models").forEach(m -> models.add(m.asText()));
      Set<ProviderId> providers = new java.util.HashSet<>();
      n.path("providers").forEach(p -> providers.add(ProviderId.of(p.asText())));
      Set<String> scopes = new java.util.HashSet<>();
      n.path("scopes").forEach(s -> scopes.add(s.asText()));
      if (!n.has("scopes")) {
        scopes.add(Scopes.ALL); // written before scopes existed
      }
      return new TokenRecord(
          n.get("id").asText(),
          n.get("token_sha256").asText(),
          n.get("user").asText(),
          Principal.Kind.valueOf(n.path("kind").asText("user").toUpperCase(java.util.Locale.ROOT)),
          n.get("tier").asText(),
          Instant.parse(n.get("created_at").asText()),
          n.hasNonNull("expires_at")
              ? Optional.of(Instant.parse(n.get("expires_at").asText()))
              : Optional.empty(),
          n.hasNonNull("max_requests")
              ? OptionalLong.of(n.get("max_requests").asLong())
              : OptionalLong.empty(),
          n.hasNonNull("max_spend_nano_usd")
              ? OptionalLong.of(n.get("max_spend_nano_usd").asLong())
              : OptionalLong.empty(),
          models,
          providers,
          n.path("revoked").asBoolean(false),
          scopes,
          n.hasNonNull("budget_period")
              ? BudgetPeriod.parse(n.get("budget_period").asText())
              : BudgetPeriod.LIFETIME,
          n.hasNonNull("team") ? Optional.of(n.get("team").asText()) : Optional.empty(),
          n.hasNonNull("max_tokens_per_minute")
              ? OptionalLong.of(n.get("max_tokens_per_minute").asLong())
              : OptionalLong.empty());
    }
  }
}
