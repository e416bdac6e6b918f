package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The {@code /me/proxy} page in headless Chromium against a running example: a user saves a key,
 * sees "configured", the proxy then uses that key, and the user removes it again.
 */
class MePageBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String USER_KEY = "sk-ant-alices-own-key-0123456789";

  private ProxyFixture fixture;
  private WebDriver browser;
  private WebDriverWait wait;
  private Path profile;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Debian chromium and chromium-driver are required (.ci/run installs them)");
    fixture = new ProxyFixture();
    profile = Files.createTempDirectory("llmproxy-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(15));
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void saveSeeConfiguredUseAndRemoveAKey() throws Exception {
    browser.get(fixture.server.baseUrl() + "/me/proxy");
    browser.findElement(By.id("token")).sendKeys(fixture.token);
    browser.findElement(By.id("connect")).click();
    waitForStatus("Not configured");

    browser.findElement(By.id("key")).sendKeys("not-a-key");
    browser.findElement(By.id("save")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "sk-ant-"));

    browser.findElement(By.id("key")).clear();
    browser.findElement(By.id("key")).sendKeys(USER_KEY);
    browser.findElement(By.id("save")).click();
    waitForStatus("Configured");
    assertEquals("Replace key", browser.findElement(By.id("save")).getText());
    assertFalse(browser.getPageSource().contains(USER_KEY), "the saved key must not be shown");
    String setup = browser.findElement(By.id("setup")).getText();
    assertTrue(setup.contains(fixture.anthropicBase()), setup);

    // The proxy now sends the user's own key upstream instead of the shared one.
    assertEquals(USER_KEY, upstreamKeyOfOneRequest());

    browser.findElement(By.id("copy")).click();
    wait.until(d -> !d.findElement(By.id("copy-result")).getText().isBlank());
    String copyResult = browser.findElement(By.id("copy-result")).getText();
    assertTrue(copyResult.equals("Copied.") || copyResult.startsWith("Copy failed:"), copyResult);

    browser.findElement(By.id("remove")).click();
    wait.until(ExpectedConditions.alertIsPresent()).dismiss();
    waitForStatus("Configured");

    browser.findElement(By.id("remove")).click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    waitForStatus("Not configured");

    assertEquals(ProxyFixture.UPSTREAM_KEY, upstreamKeyOfOneRequest());

    // The same page manages the OpenAI key.
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("provider")))
        .selectByValue("openai");
    waitForStatus("Not configured");
    assertTrue(browser.findElement(By.id("setup")).getText().contains("OPENAI_BASE_URL="));
    browser.findElement(By.id("key")).sendKeys("sk-proj-alices-openai-key");
    browser.findElement(By.id("save")).click();
    waitForStatus("Configured: your openai key");
    fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
    fixture.send(
        HttpRequest.newBuilder(
                java.net.URI.create(fixture.server.baseUrl() + "/proxy/openai/v1/chat/completions"))
            .header("Authorization", "Bearer " + fixture.token)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(OpenAiFixtures.REQUEST_JSON))
            .build());
    assertEquals(
        "Bearer sk-proj-alices-openai-key",
        fixture.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("authorization"));
  }

  private void waitForStatus(String prefix) {
    wait.until(d -> d.findElement(By.id("status")).getText().startsWith(prefix));
  }

  private String upstreamKeyOfOneRequest() throws Exception {
    fixture.upstream.enqueue(new MockResponse.Builder().body("{}").build());
    int status =
        fixture
            .send(
                fixture
                    .anthropic("/v1/messages")
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(AnthropicFixtures.REQUEST_JSON))
                    .build())
            .statusCode();
    assertEquals(200, status);
    return fixture.upstream.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("x-api-key");
  }
}
