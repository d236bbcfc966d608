package io.paramlab.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.FileSystemUtils;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A person in a real browser: headless Chromium opens the service, follows the web UI's link to
 * Swagger UI, creates the chapter's net through "POST /api/v1/models", "Try it out" and "Execute",
 * and sees the 201. Uses Debian's chromium and
 * chromium-driver (.ci/run installs them) and is skipped where they are missing. Selenium is given
 * both paths, so Selenium Manager never downloads a browser or a driver.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SwaggerUiBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String NET = "{\"model\":{\"type\":\"Sequential\",\"layers\":["
            + "{\"type\":\"Linear\",\"in_features\":4,\"out_features\":8},{\"type\":\"ReLU\"},"
            + "{\"type\":\"Linear\",\"in_features\":8,\"out_features\":1}]}}";
    static final Duration WAIT = Duration.ofSeconds(30);

    @LocalServerPort
    int port;
    WebDriver driver;
    Path profile;

    /** Per test, not per class: Surefire then reports the test as skipped, with this reason. */
    @BeforeEach
    void needsChromium() {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "Swagger UI browser test skipped: " + CHROMIUM + " is missing; install Debian's chromium and chromium-driver (.ci/run does)");
        assumeTrue(Files.isExecutable(CHROMEDRIVER),
                "Swagger UI browser test skipped: " + CHROMEDRIVER + " is missing; install Debian's chromium-driver (.ci/run does)");
    }

    private WebDriver start() throws IOException {
        // The explicit driver path (property and service) keeps Selenium Manager from looking anything up.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("paramlab-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,2400");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            FileSystemUtils.deleteRecursively(profile.toFile());
        }
    }

    @Test
    void createsTheChaptersNetFromSwaggerUi() throws IOException {
        driver = start();
        try {
            driver.get("http://localhost:" + port + "/");   // the root redirect to the web UI, whose header links here
            WebDriverWait wait = new WebDriverWait(driver, WAIT);
            click(wait.until(ExpectedConditions.elementToBeClickable(By.linkText("Swagger UI"))));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".opblock")));
            assertThat(driver.getCurrentUrl()).contains("/swagger-ui");

            By createOp = By.xpath("//div[contains(@class,'opblock-post')]"
                    + "[.//*[contains(@class,'opblock-summary-path') and @data-path='/api/v1/models']]");
            WebElement operation = wait.until(ExpectedConditions.presenceOfElementLocated(createOp));
            click(operation.findElement(By.cssSelector(".opblock-summary-path")));

            click(wait.until(ExpectedConditions.elementToBeClickable(
                    operation.findElement(By.cssSelector("button.try-out__btn")))));
            WebElement body = wait.until(d -> operation.findElement(By.cssSelector("textarea.body-param__text")));
            // Select-all and delete, then type: the textarea is React-controlled, so it must see key events.
            body.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
            body.sendKeys(NET);

            click(operation.findElement(By.cssSelector("button.execute")));
            WebElement status = wait.until(d -> operation.findElement(
                    By.cssSelector(".live-responses-table .response .response-col_status")));
            // The code, then "Undocumented" while the operation does not declare its 201.
            assertThat(status.getText().trim().lines().findFirst()).hasValue("201");
            String response = operation.findElement(By.cssSelector(".live-responses-table .response")).getText();
            assertThat(response).contains("Linear(in_features=4, out_features=8, bias=True)");
        } catch (RuntimeException | AssertionError e) {
            screenshot();
            throw e;
        }
    }

    /**
     * GET /parameters with the document's own examples (module "2", include data and grad): Swagger UI
     * once hung here on a string example for the include array.
     */
    @Test
    void listsNamedParametersWithTheDocumentsExamples() throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/models")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(NET)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        String id = created.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        driver = start();
        try {
            driver.get("http://localhost:" + port + "/swagger-ui.html");
            WebDriverWait wait = new WebDriverWait(driver, WAIT);
            By listOp = By.xpath("//div[contains(@class,'opblock-get')]"
                    + "[.//*[contains(@class,'opblock-summary-path') and @data-path='/api/v1/models/{id}/parameters']]");
            WebElement operation = wait.until(ExpectedConditions.presenceOfElementLocated(listOp));
            click(operation.findElement(By.cssSelector(".opblock-summary-path")));
            click(wait.until(ExpectedConditions.elementToBeClickable(
                    operation.findElement(By.cssSelector("button.try-out__btn")))));
            WebElement idInput = wait.until(d -> operation.findElement(By.cssSelector("tr[data-param-name='id'] input")));
            idInput.sendKeys(id);
            click(operation.findElement(By.cssSelector("button.execute")));
            WebElement status = wait.until(d -> operation.findElement(
                    By.cssSelector(".live-responses-table .response .response-col_status")));
            assertThat(status.getText().trim().lines().findFirst()).hasValue("200");
            String url = operation.findElement(By.cssSelector(".request-url")).getText();
            assertThat(url).contains("module=2").contains("include=data").contains("grad");
            String response = operation.findElement(By.cssSelector(".live-responses-table .response")).getText();
            assertThat(response).contains("\"name\": \"weight\"").contains("\"grad\": null");
        } catch (RuntimeException | AssertionError e) {
            screenshot();
            throw e;
        }
    }

    /** Scrolls into view first: a click on an element under the fold can land on another one. */
    private void click(WebElement element) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
        element.click();
    }

    /** Leaves what the browser showed in target/, for whoever reads the failure. */
    private void screenshot() {
        try {
            Path shot = Path.of("target", "swagger-ui-failure.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            System.err.println("Swagger UI screenshot: " + shot.toAbsolutePath());
        } catch (RuntimeException | IOException ignored) {
            // the failure itself matters more than its picture
        }
    }
}
