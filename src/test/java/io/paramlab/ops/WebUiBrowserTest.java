package io.paramlab.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.paramlab.ops.Browser.id;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI in a real browser: headless Chromium opens /, lands on /ui/, and must show the
 * service's own data for the README's tied model: the model in the list, the module tree with the
 * shared layer marked tied, a parameter's histograms (uPlot's canvases, with pixels drawn) and its
 * heat maps; and a training job's page, whose loss curve grows from the event stream while the job
 * runs and ends as the whole run, with the model's Jobs tab linking it and its Checkpoints tab diffing a
 * checkpoint against the trained model; no console errors; no serious or critical axe-core violations.
 * Saves the model page and the job page to docs/screenshots/. Skipped, saying why, without Chromium and
 * its driver or without axe-core (.ci/run installs it with npm into target/npm).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WebUiBrowserTest {
    static final Path AXE = Path.of("target", "npm", "node_modules", "axe-core", "axe.min.js");
    static final Path SCREENSHOTS = Path.of("docs", "screenshots");
    static final String TIED = """
            {"name": "tied", "seed": 42,
             "shared": {"shared": {"type": "Linear", "in_features": 8, "out_features": 8}},
             "model": {"type": "Sequential", "layers": [
               {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
               {"ref": "shared"}, {"type": "ReLU"},
               {"ref": "shared"}, {"type": "ReLU"},
               {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";
    static final String BACKWARD = """
            {"input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]], "loss": "sum"}""";
    static final String NET = """
            {"name": "blobs", "seed": 3, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 16}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 16, "out_features": 3}]}}""";
    static final String SGD = """
            {"type": "SGD", "lr": 0.002, "scheduler": {"type": "StepLR", "step_size": 200, "gamma": 0.5}}""";
    /** The watched job: JOB_EPOCHS * JOB_SAMPLES / 5 steps of 5 samples (24,000: 6 s on an idle 2-core machine, more when it is busy), long enough to see it run. */
    static final int JOB_EPOCHS = 600;
    static final int JOB_SAMPLES = 200;

    @LocalServerPort
    int port;
    Browser browser;
    WebDriver driver;

    @BeforeEach
    void needsChromiumAndAxe() throws IOException {
        Browser.assumeAvailable();
        browser = Browser.start(port);
        driver = browser.driver;
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void showsTheTiedModelsTreeStatisticsAndHeatMaps() throws Exception {
        String id = createTiedModelWithGradients();
        WebDriverWait wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
        try {
            driver.get(browser.url("/"));
            WebElement link = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("a[href='#/models/" + id + "']")));
            assertThat(driver.getCurrentUrl()).endsWith("/ui/");
            assertThat(link.getText()).isEqualTo("tied");
            WebElement row = link.findElement(By.xpath("ancestor::tr"));
            assertThat(row.getText()).as("name, parameter count and version").contains("tied").contains("121").contains(" 1 ");
            browser.assertNoSeriousAccessibilityViolations("models page");

            link.click();
            WebElement tied = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[role=treeitem][data-key='m:2']")));
            assertThat(label(tied)).contains("Linear").contains("tied");
            assertThat(label(driver.findElement(By.cssSelector("[role=treeitem][data-key='m:4']")))).contains("tied");
            assertThat(label(driver.findElement(By.cssSelector("[role=treeitem][data-key='m:0']")))).doesNotContain("tied");
            assertThat(label(driver.findElement(By.cssSelector("[role=treeitem][data-key='p:4.weight']")))).contains("[8, 8]").contains("tied");

            // Keyboard: the tree is one tab stop; Down moves to module 0, Enter selects it.
            WebElement root = driver.findElement(By.cssSelector("[role=treeitem][tabindex='0']"));
            assertThat(root.getAttribute("data-key")).isEqualTo("m:");
            root.sendKeys(Keys.ARROW_DOWN);
            driver.switchTo().activeElement().sendKeys(Keys.ENTER);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".detail h2"), "Module 0"));

            // The tied weight under its second path: the link to its first, its histograms and heat maps.
            driver.findElement(By.cssSelector("[role=treeitem][data-key='p:4.weight'] > .tree-label")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".detail h2"), "Parameter 4.weight"));
            assertThat(driver.findElement(By.cssSelector(".detail .tied")).getText()).contains("2.weight");
            wait.until(d -> d.findElements(By.cssSelector(".detail .uplot canvas")).size() == 2);
            wait.until(d -> d.findElements(By.cssSelector(".detail canvas[role=img]")).size() == 2);
            for (WebElement canvas : driver.findElements(By.cssSelector(".detail canvas"))) {
                assertThat(browser.inkedPixels(canvas)).as("pixels drawn on " + canvas.getAttribute("aria-label")).isGreaterThan(20);
            }
            assertThat(driver.findElement(By.cssSelector(".detail table.stats")).getText()).contains("l2_norm");

            // Tabs: one tab stop, the arrow keys move between them.
            WebElement parametersTab = driver.findElement(By.id("tab-parameters"));
            parametersTab.sendKeys(Keys.ARROW_RIGHT);
            assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("tab-checkpoints");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("panel-checkpoints")));
            driver.switchTo().activeElement().sendKeys(Keys.ARROW_LEFT);
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("panel-parameters")));

            browser.assertNoSeriousAccessibilityViolations("model page");
            browser.assertNoConsoleErrors("model page");

            // The tree, the statistics, both histograms and the heat maps in one 1200x800 picture.
            browser.screenshot("model.png", "document.querySelector('.tabs').scrollIntoView();");
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    @Test
    void showsAStateDictsTreeTensorsStatisticsAndADiff() throws Exception {
        String base = id(post("/api/v1/state-dicts?name=base", """
                {"enc.weight": [[1, 2], [3, 4]], "enc.bias": [0.5, -0.5], "dec.weight": [[1, 0], [0, 1]], "steps": {"dtype": "int64", "data": 7}}"""), 201);
        String tuned = id(post("/api/v1/state-dicts?name=tuned", """
                {"enc.weight": [[1, 2], [3, 5]], "enc.bias": [0.5, -0.5], "head.weight": [[1, 1]]}"""), 201);
        WebDriverWait wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
        try {
            driver.get(browser.url("/ui/#/state-dicts"));
            WebElement link = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("a[href='#/state-dicts/" + base + "']")));
            assertThat(link.findElement(By.xpath("ancestor::tr")).getText()).contains("base").contains("float32").contains("int64");
            browser.assertNoSeriousAccessibilityViolations("state dicts page");

            link.click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[role=treeitem][data-key='enc']")));
            assertThat(driver.findElement(By.cssSelector("main")).getText()).contains("enc.weight").contains("int64").contains("[2, 2]");
            driver.findElement(By.cssSelector("[role=treeitem][data-key='enc'] > .tree-label")).click();
            wait.until(d -> !d.findElement(By.cssSelector("main table")).getText().contains("dec.weight"));
            driver.findElement(By.xpath("//button[text()='enc.weight']")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#sd-stats ~ h3"), "enc.weight"));
            wait.until(d -> d.findElements(By.cssSelector(".uplot canvas")).size() == 1);
            assertThat(driver.findElement(By.cssSelector("dl.stats")).getText()).contains("l2_norm").contains("5.477");

            driver.findElement(By.id("sd-diff-to")).sendKeys(tuned);
            driver.findElement(By.xpath("//button[text()='Diff']")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("main"), "Only there: head.weight"));
            assertThat(driver.findElement(By.cssSelector("main")).getText()).contains("Only here: dec.weight, steps");
            browser.assertNoSeriousAccessibilityViolations("state dict page");
            browser.assertNoConsoleErrors("state dict page");
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    @Test
    void followsAJobsLossCurveLiveAndDiffsACheckpointAgainstTheChangedModel() throws Exception {
        String model = id(post("/api/v1/models", NET), 201);
        assertThat(send("PUT", "/api/v1/models/" + model + "/optimizer", SGD).statusCode()).isEqualTo(200);
        String checkpoint = id(post("/api/v1/models/" + model + "/checkpoints", "{\"tag\": \"before-training\", \"message\": \"as created\"}"), 201);
        String job = id(post("/api/v1/models/" + model + "/jobs", jobBody()), 202);
        long totalSteps = (long) JOB_EPOCHS * (JOB_SAMPLES / 5);
        WebDriverWait wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
        try {
            driver.get(browser.url("/ui/#/jobs/" + job));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("main h1"), "Job " + job));
            By lossCurve = By.xpath("//figure[figcaption[starts-with(., 'Training loss per step')]]");
            By status = By.cssSelector(".facts .status");

            // While it runs, the curve grows from the event stream: two reads, the second with more points.
            long first = wait.until(d -> {
                long n = points(d.findElement(lossCurve));
                return n > 0 && d.findElement(status).getText().equals("running") ? n : null;
            });
            long second = wait.until(d -> {
                long n = points(d.findElement(lossCurve));
                return n > first && d.findElement(status).getText().equals("running") ? n : null;
            });
            assertThat(second).as("points plotted while the job runs").isGreaterThan(first).isLessThan(totalSteps);
            assertThat(driver.findElement(By.cssSelector(".facts")).getText()).contains("/ " + totalSteps);

            // At its end, the whole curve: every step, every epoch, drawn.
            new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> d.findElement(status).getText().equals("succeeded")
                    && points(d.findElement(lossCurve)) == totalSteps);
            WebElement epochCurve = driver.findElement(By.xpath("//figure[figcaption[starts-with(., 'Loss per epoch')]]"));
            wait.until(d -> points(epochCurve) == JOB_EPOCHS);
            assertThat(driver.findElement(By.cssSelector(".facts")).getText()).contains(totalSteps + " / " + totalSteps);
            assertThat(browser.inkedPixels(driver.findElement(lossCurve).findElement(By.tagName("canvas")))).as("the loss curve drawn").isGreaterThan(200);
            assertThat(driver.findElement(By.cssSelector("main")).getText()).containsPattern("Validation accuracy: [0-9.]+ after epoch " + JOB_EPOCHS + ", best [0-9.]+ \\(epoch [0-9]+\\)");
            browser.assertNoSeriousAccessibilityViolations("job page");

            // The finished job page, curves in view, in one 1200x800 picture.
            browser.screenshot("job.png", "window.scrollTo(0, 0);");

            // The model's Jobs tab links the job; its Checkpoints tab lists the checkpoint and diffs it against live.
            driver.findElement(By.cssSelector(".facts a[href='#/models/" + model + "']")).click();
            wait.until(ExpectedConditions.elementToBeClickable(By.id("tab-jobs"))).click();
            WebElement jobLink = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#panel-jobs a[href='#/jobs/" + job + "']")));
            assertThat(jobLink.findElement(By.xpath("ancestor::tr")).getText()).contains("succeeded").contains(totalSteps + " / " + totalSteps);
            driver.findElement(By.id("tab-checkpoints")).click();
            WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.xpath("//section[@id='panel-checkpoints']//tr[td//code[text()='" + checkpoint + "']]")));
            assertThat(row.getText()).contains("before-training").contains("as created");
            assertThat(new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("diff-from"))).getFirstSelectedOption().getAttribute("value"))
                    .isEqualTo("before-training");
            assertThat(new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("diff-to"))).getFirstSelectedOption().getAttribute("value"))
                    .isEqualTo("live");
            driver.findElement(By.id("diff-compare")).click();
            wait.until(d -> d.findElements(By.cssSelector("#panel-checkpoints .bars li")).size() == 4);
            for (WebElement bar : driver.findElements(By.cssSelector("#panel-checkpoints .bars li"))) {
                assertThat(bar.findElement(By.cssSelector(".bar")).getSize().getWidth()).as("bar of " + bar.getText()).isGreaterThan(0);
            }
            assertThat(driver.findElement(By.cssSelector("#panel-checkpoints figcaption")).getText()).contains("before-training → live");
            assertThat(driver.findElement(By.cssSelector("#panel-checkpoints tbody th[scope=row]")).getText()).isEqualTo("0.weight");
            browser.assertNoSeriousAccessibilityViolations("model page's checkpoints tab");

            List<String> errors = browser.consoleErrors();
            assertThat(errors).as("console errors").isEmpty();
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    /**
     * The Spectra tab of a model trained on the digits (spectra_digits_trained_long_0's values): α per layer
     * with the 2 and 6 lines, a layer's spectrum with its fitted tail, another layer picked from the table.
     */
    @Test
    void showsAResNetsTreeAndAConvolutionsKernels() throws Exception {
        JsonNode c;
        try (var in = getClass().getResourceAsStream("/conformance/zoo_resnet18.json")) {
            c = JsonMapper.builder().build().readTree(in);
        }
        String id = id(post("/api/v1/models", c.get("create").toString()), 201);
        WebDriverWait wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
        try {
            driver.get(browser.url("/ui/#/models/" + id));
            WebElement block = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[role=treeitem][data-key='m:layer1.0']")));
            assertThat(label(block)).contains("BasicBlock");
            assertThat(label(driver.findElement(By.cssSelector("[role=treeitem][data-key='m:layer1.0.conv1']")))).contains("Conv2d");

            driver.findElement(By.cssSelector("[role=treeitem][data-key='p:conv1.weight'] > .tree-label")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".detail h2"), "Parameter conv1.weight"));
            WebElement grid = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".detail canvas[aria-label*='kernels of']")));
            assertThat(grid.getAttribute("aria-label")).contains("16 of 64 output and 3 of 3 input channels, each 7 by 7");
            assertThat(browser.inkedPixels(grid)).as("kernels drawn").isGreaterThan(16 * 3 * 49 / 2);
            browser.assertNoSeriousAccessibilityViolations("a convolution's kernels");
            assertThat(browser.consoleErrors()).as("console errors").isEmpty();

            browser.screenshot("kernels.png", "document.querySelector('.detail h3').scrollIntoView();");
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    @Test
    void showsTheSpectraOfATrainedModel() throws Exception {
        JsonNode c;
        try (var in = getClass().getResourceAsStream("/conformance/spectra_digits_trained_long_0.json")) {
            c = JsonMapper.builder().build().readTree(in);
        }
        String id = id(post("/api/v1/models", c.get("create").toString()), 201);
        assertThat(send("PUT", "/api/v1/models/" + id + "/state-dict", c.get("state_dict").toString()).statusCode()).isEqualTo(200);
        WebDriverWait wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
        try {
            driver.get(browser.url("/ui/#/models/" + id));
            wait.until(ExpectedConditions.elementToBeClickable(By.id("tab-spectra"))).click();
            WebElement alpha = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#panel-spectra .alpha-chart")));
            wait.until(d -> d.findElements(By.cssSelector("#panel-spectra .spectrum-chart .uplot canvas")).size() == 1);
            assertThat(alpha.getAttribute("data-points")).as("layers with an α").isEqualTo("3");
            assertThat(browser.inkedPixels(alpha.findElement(By.cssSelector("canvas")))).as("α chart drawn").isGreaterThan(20);
            WebElement spectrum = driver.findElement(By.cssSelector("#panel-spectra .spectrum-chart"));
            assertThat(spectrum.getText()).contains("Spectrum of 0.weight").contains("ok");
            assertThat(browser.inkedPixels(spectrum.findElement(By.cssSelector("canvas")))).as("spectrum drawn").isGreaterThan(20);
            List<WebElement> rows = driver.findElements(By.cssSelector("#panel-spectra table.spectra tbody tr"));
            assertThat(rows).hasSize(3);
            assertThat(rows.get(1).getText()).contains("3.weight").contains("over-trained");
            assertThat(driver.findElement(By.id("panel-spectra")).getText()).contains("0.bias").contains("rank");

            rows.get(1).findElement(By.cssSelector("button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#panel-spectra .spectrum-chart figcaption"), "3.weight"));
            browser.assertNoSeriousAccessibilityViolations("spectra tab");
            assertThat(browser.consoleErrors()).as("console errors").isEmpty();

            browser.screenshot("spectra.png", "document.querySelector('.tabs').scrollIntoView();");
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    /** The x values a curve plots (its figure's data-points). */
    private static long points(WebElement figure) {
        String n = figure.getAttribute("data-points");
        return n == null ? 0 : Long.parseLong(n);
    }

    /** Three blobs of 4 features with class indices, as JobHttpTest's; a validation set of 9. */
    private static String jobBody() {
        return "{\"data\": " + blobs(JOB_SAMPLES) + ", \"validation\": {\"data\": " + blobs(9) + "}, \"loss\": \"cross_entropy\", "
                + "\"epochs\": " + JOB_EPOCHS + ", \"batch_size\": 5, \"seed\": 7}";
    }

    private static String blobs(int n) {
        StringBuilder input = new StringBuilder();
        StringBuilder target = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            input.append(i == 0 ? "" : ", ").append("[").append(c + 0.1 * (i % 5)).append(", ").append(-c + 0.05 * i % 1)
                    .append(", ").append(0.3 * c).append(", ").append(1.0 - 0.2 * (i % 4)).append("]");
            target.append(i == 0 ? "" : ", ").append(c);
        }
        return "{\"input\": [" + input + "], \"target\": {\"data\": [" + target + "], \"dtype\": \"int64\"}}";
    }

    private String createTiedModelWithGradients() throws IOException, InterruptedException {
        String id = id(post("/api/v1/models", TIED), 201);
        assertThat(post("/api/v1/models/" + id + "/backward", BACKWARD).statusCode()).isEqualTo(200);
        return id;
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, json);
    }

    private HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
        return browser.send(method, path, json, null);
    }

    private String label(WebElement treeItem) {
        return treeItem.findElement(By.cssSelector(".tree-label")).getText();
    }

}
