package dev.llmproxy.core.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmproxy.api.CredentialStore;
import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.Secret;
import dev.llmproxy.api.UpstreamCredential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A Claude Code subscription credential file ({@code ~/.claude/.credentials.json}) used as the
 * shared Anthropic credential: the OAuth access token is sent as {@code Authorization: Bearer}.
 *
 * <p>Reads both the nested form {@code {"claudeAiOauth":{"accessToken":…,"expiresAt":…}}} and a
 * flat {@code {"accessToken":…,"expiresAt":…}}; {@code expiresAt} is epoch milliseconds (as Claude
 * Code writes it), epoch seconds, or an ISO-8601 instant. The file is re-read when it changes,
 * because Claude Code refreshes the token in place.
 */
public final class ClaudeCredentialsFile implements CredentialStore {
  /** The {@link UpstreamCredential#source()} of a subscription token. */
  public static final String SOURCE = "claude_subscription";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;
  private final Clock clock;
  private FileTime seenModified;
  private Reading cached;

  public ClaudeCredentialsFile(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  /** What {@link #check()} found. */
  public enum State {
    /** A token that has not expired. */
    FOUND,
    /** The file exists but holds no access token (or is not valid JSON). */
    NO_TOKEN,
    /** The token's {@code expiresAt} has passed. */
    EXPIRED,
    /** There is no such file. */
    MISSING
  }

  /** The file's state now; never includes the token. */
  public State check() {
    Reading reading = read();
    if (reading.state == State.FOUND && reading.token.isExpiredAt(clock.instant())) {
      return State.EXPIRED;
    }
    return reading.state;
  }

  /** The file this reads. */
  public Path file() {
    return file;
  }

  @Override
  public Optional<UpstreamCredential> find(Principal principal, ProviderId provider) {
    if (!provider.equals(ProviderId.ANTHROPIC)) {
      return Optional.empty();
    }
    Reading reading = read();
    return reading.state == State.FOUND ? Optional.of(reading.token) : Optional.empty();
  }

  private record Reading(State state, UpstreamCredential.OAuthToken token) {}

  private synchronized Reading read() {
    FileTime modified;
    try {
      modified = Files.getLastModifiedTime(file);
    } catch (NoSuchFileException e) {
      cached = null;
      seenModified = null;
      return new Reading(State.MISSING, null);
    } catch (IOException e) {
      return new Reading(State.MISSING, null);
    }
    if (cached != null && modified.equals(seenModified)) {
      return cached;
    }
    cached = parse();
    seenModified = modified;
    return cached;
  }

  private Reading parse() {
    JsonNode root;
    try {
      root = MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      return new Reading(State.NO_TOKEN, null); // unreadable or not JSON; the message is not kept
    }
    JsonNode oauth = root != null && root.has("claudeAiOauth") ? root.get("claudeAiOauth") : root;
    if (oauth == null
        || !oauth.path("accessToken").isTextual()
        || !HeaderValues.isVisibleAscii(oauth.path("accessToken").asText())) {
      return new Reading(State.NO_TOKEN, null);
    }
    Optional<Instant> expiresAt = expiry(oauth.path("expiresAt"));
    return new Reading(
        State.FOUND,
        new UpstreamCredential.OAuthToken(
            Secret.of(oauth.get("accessToken").asText()), expiresAt, SOURCE));
  }

  static Optional<Instant> expiry(JsonNode value) {
    if (value.isNumber()) {
      long number = value.asLong();
      return Optional.of(
          number > 100_000_000_000L ? Instant.ofEpochMilli(number) : Instant.ofEpochSecond(number));
    }
    if (value.isTextual()) {
      try {
        return Optional.of(Instant.parse(value.asText()));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "ClaudeCredentialsFile[" + file + "]";
  }
}
