package dev.llmproxy.springexample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code --demo}: the printed token and curl line work against the built-in fake upstream. */
class DemoModeTest {

  @Test
  void theDemoUsersPrintedTokenStreamsAReplyFromTheFakeUpstream() throws Exception {
    Path dataDir = Files.createTempDirectory("spring-demo");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    ConfigurableApplicationContext app;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      app =
          SpringExampleApplication.run(
              "--demo",
              "--server.port=0",
              "--app.data-dir=" + dataDir,
              "--spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL");
    } finally {
      System.setOut(stdout);
    }
    try (app) {
      String output = printed.toString(StandardCharsets.UTF_8);
      Matcher token = Pattern.compile("proxy token: (app_\\S+)").matcher(output);
      Matcher url =
          Pattern.compile("curl -N (http://localhost:\\d+/proxy/anthropic/v1/messages)")
              .matcher(output);
      assertThat(token.find()).as(output).isTrue();
      assertThat(url.find()).as(output).isTrue();

      OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(5)).build();
      Request request =
          new Request.Builder()
              .url(url.group(1))
              .header("x-api-key", token.group(1))
              .header("anthropic-version", "2023-06-01")
              .post(
                  RequestBody.create(
                      "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64,\"stream\":true,"
                          + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello from Spring\"}]}",
                      MediaType.get("application/json")))
              .build();
      try (Response response = client.newCall(request).execute()) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.header("x-ratelimit-limit")).isEqualTo("600"); // the team plan
        String events = response.body().string();
        assertThat(events).contains("event: message_stop");
        assertThat(events.split("\"text\":\"")).hasSizeGreaterThan(4); // one word per event
        assertThat(events).contains("\"text\":\"You\"").contains("\"text\":\" Spring\"");
      }
    }
  }
}
