package dev.llmproxy.springexample;

import dev.llmproxy.api.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The application's {@code users} table: a plan and the hash of an API token per user. */
@Repository
public class Users {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One user; never holds the token. */
  public record User(String id, String name, String plan) {}

  /** A user just created and its API token, shown once. */
  public record Created(User user, Secret token) {}

  private final JdbcClient jdbc;

  Users(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Creates a user on {@code plan} with a new API token. */
  public Created create(String name, String plan) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    Secret token =
        Secret.of("app_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    User user = new User(UUID.randomUUID().toString(), name, plan);
    jdbc.sql("INSERT INTO users (id, name, plan, token_sha256, created_at) VALUES (?, ?, ?, ?, ?)")
        .params(user.id(), name, plan, sha256(token), Timestamp.from(Instant.now()))
        .update();
    return new Created(user, token);
  }

  /** The user whose API token is {@code token}. */
  public Optional<User> findByToken(Secret token) {
    return jdbc.sql("SELECT id, name, plan FROM users WHERE token_sha256 = ?")
        .param(sha256(token))
        .query(
            (row, n) -> new User(row.getString("id"), row.getString("name"), row.getString("plan")))
        .optional();
  }

  /** The user called {@code name}. */
  public Optional<User> findByName(String name) {
    return jdbc.sql("SELECT id, name, plan FROM users WHERE name = ?")
        .param(name)
        .query(
            (row, n) -> new User(row.getString("id"), row.getString("name"), row.getString("plan")))
        .optional();
  }

  private static String sha256(Secret token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(token.reveal().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
