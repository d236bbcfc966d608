package io.paramlab.ops;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.springframework.util.FileSystemUtils;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headless Chromium for the web UI's action tests (WebUiActionsBrowserTest, WebUiAccessBrowserTest): starting
 * it with the browser's log captured, axe-core, console errors, screenshots, and the API beside it (with a
 * bearer token when given) to check what an action did.
 */
final class Browser implements AutoCloseable {
    final WebDriver driver;
    private final Path profile;
    private final String base;
    private final HttpClient client = HttpClient.newHttpClient();

    private Browser(WebDriver driver, Path profile, String base) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
    }

    /** Skips the test, saying why, without Chromium, its driver or axe-core. */
    static void assumeAvailable() {
        assumeTrue(Files.isExecutable(SwaggerUiBrowserTest.CHROMIUM),
                "Web UI browser test skipped: " + SwaggerUiBrowserTest.CHROMIUM + " is missing; install Debian's chromium and chromium-driver (.ci/run does)");
        assumeTrue(Files.isExecutable(SwaggerUiBrowserTest.CHROMEDRIVER),
                "Web UI browser test skipped: " + SwaggerUiBrowserTest.CHROMEDRIVER + " is missing; install Debian's chromium-driver (.ci/run does)");
        assumeTrue(Files.isReadable(WebUiBrowserTest.AXE),
                "Web UI browser test skipped: " + WebUiBrowserTest.AXE + " is missing; run `npm install --prefix target/npm axe-core@4.14.1` (.ci/run does)");
    }

    static Browser start(int port) throws IOException {
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, SwaggerUiBrowserTest.CHROMEDRIVER.toString());
        Path profile = Files.createTempDirectory("paramlab-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(SwaggerUiBrowserTest.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1200,900", "--hide-scrollbars");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        options.setCapability("unhandledPromptBehavior", "ignore");   // the test answers confirm() itself
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(SwaggerUiBrowserTest.CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile, "http://localhost:" + port);
    }

    String url(String path) {
        return base + path;
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs axe-core in the page; serious and critical violations fail the test, with their rules and nodes. */
    void assertNoSeriousAccessibilityViolations(String page) throws IOException {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        js.executeScript(Files.readString(WebUiBrowserTest.AXE));
        Object found = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))));""");
        assertThat((List<?>) found).as("axe-core serious or critical violations on the " + page).isEmpty();
    }

    /** The browser's errors since the last call (the log is drained as it is read). */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    /** A probe proves the browser's log reaches the test, so that an empty list means no error. */
    void assertNoConsoleErrors(String page) {
        js("console.error('paramlab-ui-test-probe')");
        List<String> errors = consoleErrors();
        assertThat(errors).as("the probe").anyMatch(m -> m.contains("paramlab-ui-test-probe"));
        assertThat(errors).as("console errors on the " + page).allMatch(m -> m.contains("paramlab-ui-test-probe"));
    }

    /** Pixels of a canvas that are neither transparent nor white: something was drawn. */
    long inkedPixels(WebElement canvas) {
        Object n = js("""
                const c = arguments[0], d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) n++;
                return n;""", canvas);
        return ((Number) n).longValue();
    }

    /** The page at 1200x800 into docs/screenshots/{name}, after `script` (scrolling) ran. */
    void screenshot(String name, String script) throws IOException {
        screenshot(name, script, 800);
    }

    /** The page at 1200 x height into docs/screenshots/{name}, after `script` (scrolling) ran. */
    void screenshot(String name, String script, int height) throws IOException {
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1200, "height", height, "deviceScaleFactor", 1, "mobile", false));
        js("document.activeElement.blur();" + script);
        Files.createDirectories(WebUiBrowserTest.SCREENSHOTS);
        Files.write(WebUiBrowserTest.SCREENSHOTS.resolve(name), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        ((ChromeDriver) driver).executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    void failureScreenshot() {
        try {
            Path shot = Path.of("target", "web-ui-failure.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            System.err.println("Web UI screenshot: " + shot.toAbsolutePath());
        } catch (RuntimeException | IOException ignored) {
            // the failure itself matters more than its picture
        }
    }

    /** A request to the API beside the browser, with a bearer token unless it is null. */
    HttpResponse<String> send(String method, String path, String json, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String id(HttpResponse<String> answer, int status) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(answer.body());
        assertThat(id.find()).isTrue();
        return id.group(1);
    }

    @Override
    public void close() {
        driver.quit();
        FileSystemUtils.deleteRecursively(profile.toFile());
    }
}
