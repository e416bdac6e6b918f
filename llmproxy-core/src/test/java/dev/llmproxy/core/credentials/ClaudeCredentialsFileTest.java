package dev.llmproxy.core.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.api.Principal;
import dev.llmproxy.api.ProviderId;
import dev.llmproxy.api.UpstreamCredential;
import dev.llmproxy.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClaudeCredentialsFileTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final Principal alice = Principal.user("alice", "free");

  private ClaudeCredentialsFile write(String json) throws Exception {
    Path file = dir.resolve(".credentials.json");
    Files.writeString(file, json);
    return new ClaudeCredentialsFile(file, clock);
  }

  private long inOneHourMillis() {
    return clock.instant().plus(Duration.ofHours(1)).toEpochMilli();
  }

  @Test
  void nestedClaudeAiOauthForm() throws Exception {
    ClaudeCredentialsFile file =
        write(
            "{\"claudeAiOauth\":{\"accessToken\":\"sk-ant-oat01-nested\",\"refreshToken\":\"r\","
                + "\"expiresAt\":"
                + inOneHourMillis()
                + ",\"scopes\":[\"user:inference\"]}}");
    assertEquals(ClaudeCredentialsFile.State.FOUND, file.check());
    UpstreamCredential.OAuthToken token =
        (UpstreamCredential.OAuthToken) file.find(alice, ProviderId.ANTHROPIC).orElseThrow();
    assertEquals("sk-ant-oat01-nested", token.accessToken().reveal());
    assertEquals(Instant.ofEpochMilli(inOneHourMillis()), token.expiresAt().orElseThrow());
    assertEquals("claude_subscription", token.source());
    assertTrue(file.find(alice, ProviderId.OPENAI).isEmpty(), "Anthropic only");
  }

  @Test
  void flatFormWithIsoOrSecondsExpiry() throws Exception {
    assertEquals(
        ClaudeCredentialsFile.State.FOUND,
        write("{\"accessToken\":\"sk-ant-oat01-flat\",\"expiresAt\":\"2030-01-01T00:00:00Z\"}")
            .check());
    ClaudeCredentialsFile seconds =
        write(
            "{\"accessToken\":\"sk-ant-oat01-flat\",\"expiresAt\":"
                + clock.instant().plusSeconds(60).getEpochSecond()
                + "}");
    assertEquals(
        clock.instant().plusSeconds(60),
        ((UpstreamCredential.OAuthToken) seconds.find(alice, ProviderId.ANTHROPIC).orElseThrow())
            .expiresAt()
            .orElseThrow());
    assertEquals(
        ClaudeCredentialsFile.State.FOUND, write("{\"accessToken\":\"no-expiry\"}").check());
  }

  @Test
  void missingTokenExpiredAndMissingFile() throws Exception {
    assertEquals(
        ClaudeCredentialsFile.State.NO_TOKEN,
        write("{\"claudeAiOauth\":{\"expiresAt\":1}}").check());
    assertEquals(ClaudeCredentialsFile.State.NO_TOKEN, write("not json").check());
    assertEquals(ClaudeCredentialsFile.State.NO_TOKEN, write("{\"accessToken\":\"a b\"}").check());
    ClaudeCredentialsFile expiring =
        write("{\"accessToken\":\"tok\",\"expiresAt\":" + inOneHourMillis() + "}");
    clock.advance(Duration.ofHours(2));
    assertEquals(ClaudeCredentialsFile.State.EXPIRED, expiring.check());
    assertEquals(
        ClaudeCredentialsFile.State.MISSING,
        new ClaudeCredentialsFile(dir.resolve("absent.json"), clock).check());
    assertTrue(
        new ClaudeCredentialsFile(dir.resolve("absent.json"), clock)
            .find(alice, ProviderId.ANTHROPIC)
            .isEmpty());
  }

  @Test
  void aRefreshedFileIsReadAgain() throws Exception {
    ClaudeCredentialsFile file = write("{\"accessToken\":\"first\"}");
    assertEquals(
        "first",
        ((UpstreamCredential.OAuthToken) file.find(alice, ProviderId.ANTHROPIC).orElseThrow())
            .accessToken()
            .reveal());
    Path path = file.file();
    Files.writeString(path, "{\"accessToken\":\"second-longer\"}");
    Files.setLastModifiedTime(
        path, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(5)));
    assertEquals(
        "second-longer",
        ((UpstreamCredential.OAuthToken) file.find(alice, ProviderId.ANTHROPIC).orElseThrow())
            .accessToken()
            .reveal());
  }
}
