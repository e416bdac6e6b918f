package dev.llmproxy.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The {@code /admin} console and the {@code /me/proxy} usage panel in headless Chromium against a
 * running example: sign in with the admin token, see a token's usage after real requests, the spend
 * chart drawn and the exchanges listed, revoke the token (which the proxy then refuses); a user
 * sees their usage against their caps. Saves the screenshots in {@code docs/images/}.
 */
class ConsoleBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path IMAGES = Path.of("..", "docs", "images");

  private ProxyFixture fixture;
  private WebDriver browser;
  private FluentWait<WebDriver> wait; // the tables are redrawn under it

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Debian chromium and chromium-driver are required (.ci/run installs them)");
    fixture = new ProxyFixture(Map.of("LLMPROXY_TIER_RATES", "free=0"));
    Path profile = Files.createTempDirectory("llmproxy-chromium");
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
    browser.manage().window().setSize(new Dimension(1280, 1500));
    wait =
        new WebDriverWait(browser, Duration.ofSeconds(15))
            .ignoring(StaleElementReferenceException.class);
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

  private int message(String token, String model) throws Exception {
    fixture.upstream.enqueue(
        new MockResponse.Builder()
            .setHeader("content-type", "application/json")
            .body(AnthropicFixtures.MESSAGE_JSON)
            .build());
    HttpResponse<String> response =
        fixture.send(
            HttpRequest.newBuilder(URI.create(fixture.anthropicBase() + "/v1/messages"))
                .header("x-api-key", token)
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        AnthropicFixtures.REQUEST_JSON.replace("claude-sonnet-4-5", model)))
                .build());
    fixture.nextEvent();
    return response.statusCode();
  }

  private void screenshot(String name) throws Exception {
    Files.createDirectories(IMAGES);
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, IMAGES.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  private WebElement tokenRow(String user) {
    return browser.findElement(By.cssSelector("#tokens tbody tr[data-user='" + user + "']"));
  }

  @Test
  void signInSeeUsageAndTheChartThenRevokeAToken() throws Exception {
    String bob =
        fixture
            .issue("{\"user\":\"bob\",\"max_requests\":10,\"max_spend_usd\":1}")
            .get("token")
            .asText();
    for (String model : List.of("claude-sonnet-4-5", "claude-haiku-4-5", "claude-sonnet-4-5")) {
      assertEquals(200, message(bob, model));
    }
    assertEquals(200, message(fixture.token, "claude-opus-4-1"));

    browser.get(fixture.server.baseUrl() + "/admin");
    browser.findElement(By.id("admin-token")).sendKeys(ProxyFixture.ADMIN_TOKEN);
    browser.findElement(By.id("signin")).click();
    wait.until(d -> !d.findElements(By.cssSelector("#tokens tbody tr[data-user='bob']")).isEmpty());
    assertTrue(tokenRow("bob").getText().contains("3 / 10"), tokenRow("bob").getText());
    assertTrue(tokenRow("bob").getText().contains("active"));
    wait.until(d -> !d.findElements(By.cssSelector("#spend-chart rect.bar")).isEmpty());
    assertTrue(
        browser.findElements(By.cssSelector("#spend-chart rect.bar[data-key='bob']")).size() > 0,
        "bob's spend is drawn");
    wait.until(d -> d.findElements(By.cssSelector("#exchanges tbody tr")).size() == 4);
    wait.until(
        d ->
            !d.findElements(By.cssSelector("#health tbody tr[data-provider='anthropic']"))
                .isEmpty());
    assertFalse(browser.getPageSource().contains(bob), "no token value on the page");
    screenshot("admin-console.png");

    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("chart-group")))
        .selectByValue("model");
    wait.until(
        d ->
            !d.findElements(By.cssSelector("#spend-chart rect.bar[data-key='claude-haiku-4-5']"))
                .isEmpty());

    browser.findElement(By.id("filter-user")).sendKeys("alice");
    browser.findElement(By.id("filter")).click();
    wait.until(d -> d.findElements(By.cssSelector("#exchanges tbody tr")).size() == 1);

    tokenRow("bob").findElement(By.className("revoke")).click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    wait.until(d -> tokenRow("bob").getText().contains("revoked"));
    assertEquals(403, message(bob, "claude-sonnet-4-5"), "the revoked token is refused");

    browser.navigate().refresh(); // still signed in: the token is in the tab's session storage
    wait.until(d -> !d.findElements(By.cssSelector("#tokens tbody tr[data-user='bob']")).isEmpty());
    browser.findElement(By.id("signout")).click();
    assertTrue(browser.findElement(By.id("signin-section")).isDisplayed());
  }

  @Test
  void aUserSeesTheirUsageAgainstTheirCaps() throws Exception {
    String carol =
        fixture
            .issue(
                "{\"user\":\"carol\",\"max_requests\":5,\"max_spend_usd\":2,"
                    + "\"budget_period\":\"daily\"}")
            .get("token")
            .asText();
    assertEquals(200, message(carol, "claude-sonnet-4-5"));
    assertEquals(200, message(carol, "claude-sonnet-4-5"));

    browser.get(fixture.server.baseUrl() + "/me/proxy");
    browser.findElement(By.id("token")).sendKeys(carol);
    browser.findElement(By.id("connect")).click();
    wait.until(d -> !d.findElements(By.cssSelector("#usage tbody tr")).isEmpty());
    String row = browser.findElement(By.cssSelector("#usage tbody tr")).getText();
    assertTrue(row.contains("2 of 5 (3 left)"), row);
    assertTrue(row.contains("daily"), row);
    assertFalse(row.contains("never"), "a daily cap resets: " + row);
    screenshot("me-proxy-usage.png");
  }
}
