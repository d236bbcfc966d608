package io.paramlab.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.Set;

import static io.paramlab.ops.Browser.id;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI acts, in real Chromium against the real service (open mode, every action allowed), and each
 * action's effect is read back through the API: rename, train/eval mode, an init rule from its form (and
 * its problem shown inline when the rule is wrong), a checkpoint made and restored (the values are the
 * checkpoint's again), delete (confirmed; then GET is 404); a job cancelled and resumed from its page,
 * which shows its configuration and a log scale for its loss. Every tab has its own address (reload,
 * back and forward keep it); a lazy model's pages log no error; histogram axes leave room for their
 * labels; axe-core finds no serious or critical issue on any page; the controls work from the keyboard.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WebUiActionsBrowserTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String NET = """
            {"name": "net", "seed": 1, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";
    /** 40,000 weights: a histogram's bins hold thousands, so the y axis needs room for "1,500". */
    static final String WIDE = """
            {"name": "wide", "seed": 2, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 400, "out_features": 100}]}}""";
    static final String LAZY = """
            {"name": "lazy", "model": {"type": "Sequential", "layers": [
              {"type": "LazyLinear", "out_features": 8}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";

    @LocalServerPort
    int port;
    Browser browser;
    WebDriver driver;
    WebDriverWait wait;

    @BeforeEach
    void needsChromiumAndAxe() {
        Browser.assumeAvailable();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    private void open() throws Exception {
        browser = Browser.start(port);
        driver = browser.driver;
        wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
    }

    private JsonNode api(String method, String path, String body, int status) throws Exception {
        var answer = browser.send(method, path, body, null);
        assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isEqualTo(status);
        return answer.body().isEmpty() ? null : JSON.readTree(answer.body());
    }

    private void confirm() {
        wait.until(ExpectedConditions.alertIsPresent()).accept();
    }

    private WebElement notice(String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("main .notice"), text));
        return driver.findElement(By.cssSelector("main .notice"));
    }

    private void tabSelected(String tab) {
        wait.until(ExpectedConditions.attributeToBe(By.id("tab-" + tab), "aria-selected", "true"));
        assertThat(driver.findElement(By.id("panel-" + tab)).isDisplayed()).isTrue();
    }

    @Test
    void renamesSwitchesModeInitializesMakesAndRestoresACheckpointAndDeletes() throws Exception {
        open();
        String model = id(browser.send("POST", "/api/v1/models", NET, null), 201);
        String path = "/api/v1/models/" + model;
        try {
            driver.get(browser.url("/ui/#/models"));
            WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("a[href='#/models/" + model + "']")))
                    .findElement(By.xpath("ancestor::tr"));
            assertThat(row.getText()).as("the list's id and owner columns").contains(model).contains("anonymous");
            assertThat(driver.findElements(By.cssSelector("main thead th")).stream().map(WebElement::getText))
                    .containsSubsequence("Name", "Id", "Owner", "Parameters");
            browser.assertNoSeriousAccessibilityViolations("models page");

            driver.get(browser.url("/ui/#/models/" + model));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[role=treeitem][data-key='m:0']")));

            // Rename from the keyboard: type, Enter submits; Tab reaches the button with a visible focus ring.
            WebElement name = driver.findElement(By.id("rename-name"));
            name.sendKeys(Keys.chord(Keys.CONTROL, "a"), "renamed");
            name.sendKeys(Keys.TAB);
            WebElement focused = driver.switchTo().activeElement();
            assertThat(focused.getText()).isEqualTo("Rename");
            assertThat(browser.js("return getComputedStyle(document.activeElement).outlineStyle")).as("visible focus").isEqualTo("solid");
            focused.sendKeys(Keys.ENTER);
            notice("Renamed to \"renamed\"");
            assertThat(driver.findElement(By.cssSelector("main h1")).getText()).isEqualTo("renamed");
            assertThat(api("GET", path, null, 200).get("name").stringValue()).isEqualTo("renamed");

            // Train/eval with Space.
            driver.findElement(By.id("mode")).sendKeys(Keys.SPACE);
            notice("Now in eval mode");
            assertThat(api("GET", path, null, 200).get("training").booleanValue()).isFalse();
            assertThat(driver.findElement(By.id("mode")).getText()).isEqualTo("Switch to training mode");

            // A checkpoint, from the Checkpoints tab, whose address is its own.
            driver.findElement(By.id("tab-checkpoints")).click();
            wait.until(ExpectedConditions.urlToBe(browser.url("/ui/#/models/" + model + "/checkpoints")));
            wait.until(ExpectedConditions.elementToBeClickable(By.id("checkpoint-tag"))).sendKeys("before-init");
            driver.findElement(By.id("checkpoint-message")).sendKeys("as created");
            driver.findElement(By.xpath("//button[text()='Make checkpoint']")).click();
            notice("Checkpoint before-init made");
            tabSelected("checkpoints");   // the reload kept the tab
            assertThat(api("GET", path + "/checkpoints", null, 200).findValuesAsString("tag")).containsExactly("before-init");
            JsonNode saved = api("GET", path + "/checkpoints/before-init/state-dict", null, 200);

            // An init rule from the form: a wrong one answers a problem shown inline, nothing changed ...
            driver.findElement(By.cssSelector("details.init-rule summary")).click();
            new Select(driver.findElement(By.id("init-module"))).selectByValue("0");
            driver.findElement(By.cssSelector("input[name=init-type][value=Linear]")).click();
            new Select(driver.findElement(By.id("init-policy"))).selectByValue("constant");
            WebElement options = driver.findElement(By.id("init-options"));
            options.clear();
            options.sendKeys("{}");
            driver.findElement(By.xpath("//button[text()='Initialize']")).click();
            WebElement problem = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.init .problem")));
            assertThat(problem.getText()).contains("(400)").contains("value");
            assertThat(api("GET", path, null, 200).get("version").intValue()).as("nothing changed").isEqualTo(3);
            // the browser reports the refused request itself: that one line, and no other error
            assertThat(browser.consoleErrors()).as("console errors after the refused init").singleElement().asString()
                    .contains("/init - Failed to load resource: the server responded with a status of 400");
            // ... a right one initializes 0.weight to 0.5 (the API reads it back)
            options.clear();
            options.sendKeys("{\"value\": 0.5}");
            browser.assertNoSeriousAccessibilityViolations("model page, init form open");
            driver.findElement(By.xpath("//button[text()='Initialize']")).click();
            notice("Initialized 1: 0.weight (constant)");
            JsonNode weight = api("GET", path + "/parameters/0.weight", null, 200).get("data").get("data");
            assertThat(weight.get(0).get(0).doubleValue()).isEqualTo(0.5);
            assertThat(weight.get(7).get(3).doubleValue()).isEqualTo(0.5);

            // Restore: asked first (dismissed: nothing happens), then the values are the checkpoint's again.
            tabSelected("checkpoints");
            By restore = By.cssSelector("button.restore[aria-label='Restore before-init']");
            wait.until(ExpectedConditions.elementToBeClickable(restore)).click();
            wait.until(ExpectedConditions.alertIsPresent()).dismiss();
            assertThat(api("GET", path + "/parameters/0.weight", null, 200).get("data").get("data").get(0).get(0).doubleValue()).isEqualTo(0.5);
            driver.findElement(restore).click();
            confirm();
            notice("Restored before-init");
            JsonNode restored = api("GET", path + "/state-dict", null, 200);
            for (String key : Set.of("0.weight", "0.bias", "2.weight", "2.bias")) {
                assertThat(restored.get(key).get("data")).as(key).isEqualTo(saved.get(key).get("data"));
            }
            browser.assertNoSeriousAccessibilityViolations("checkpoints tab");

            // Every tab has its own address: reload keeps it, back and forward move between tabs.
            driver.navigate().refresh();
            tabSelected("checkpoints");
            driver.findElement(By.id("tab-jobs")).click();
            wait.until(ExpectedConditions.urlToBe(browser.url("/ui/#/models/" + model + "/jobs")));
            tabSelected("jobs");
            driver.navigate().back();
            tabSelected("checkpoints");
            driver.navigate().forward();
            tabSelected("jobs");
            driver.findElement(By.id("tab-parameters")).sendKeys(Keys.END);   // arrow keys and Home/End move and set the address too
            tabSelected("spectra");
            wait.until(ExpectedConditions.urlToBe(browser.url("/ui/#/models/" + model + "/spectra")));
            browser.screenshot("actions.png", "document.getElementById('tab-checkpoints').click(); document.querySelector('section.actions').scrollIntoView();");
            tabSelected("checkpoints");

            // Delete: asked first; dismissed, the model stays; accepted, GET answers 404.
            driver.findElement(By.id("delete-model")).click();
            wait.until(ExpectedConditions.alertIsPresent()).dismiss();
            api("GET", path, null, 200);
            driver.findElement(By.id("delete-model")).click();
            confirm();
            notice("Deleted the model \"renamed\"");
            assertThat(driver.getCurrentUrl()).endsWith("#/models");
            api("GET", path, null, 404);
            assertThat(driver.findElements(By.cssSelector("a[href='#/models/" + model + "']"))).isEmpty();
            browser.assertNoConsoleErrors("model pages");
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    @Test
    void aLazyModelsPagesLogNoErrorAndHistogramAxesHaveRoomForTheirLabels() throws Exception {
        open();
        String lazy = id(browser.send("POST", "/api/v1/models", LAZY, null), 201);
        String wide = id(browser.send("POST", "/api/v1/models", WIDE, null), 201);
        try {
            driver.get(browser.url("/ui/#/models/" + lazy));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[role=treeitem][data-key='p:0.weight']"))).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".detail"), "Uninitialized (lazy)"));
            driver.findElement(By.cssSelector("[role=treeitem][data-key='p:2.weight'] > .tree-label")).click();
            wait.until(d -> d.findElements(By.cssSelector(".detail .uplot canvas")).size() == 1);
            for (String tab : new String[] {"checkpoints", "jobs", "spectra"}) {
                driver.findElement(By.id("tab-" + tab)).click();
                tabSelected(tab);
                wait.until(d -> !d.findElement(By.id("panel-" + tab)).getText().isBlank());
                browser.assertNoSeriousAccessibilityViolations("lazy model's " + tab + " tab");
            }
            assertThat(driver.findElement(By.id("panel-spectra")).getText()).contains("uninitialized (lazy)");
            browser.assertNoConsoleErrors("lazy model's pages");

            driver.get(browser.url("/ui/#/models/" + wide + "/p:0.weight"));
            WebElement canvas = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".detail .uplot canvas")));
            wait.until(d -> browser.inkedPixels(canvas) > 20);
            // A clipped label is cut by the canvas's left edge: the first columns would have ink.
            Object edge = browser.js("""
                    const c = arguments[0], d = c.getContext('2d').getImageData(0, 0, 3, c.height).data;
                    let n = 0;
                    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) n++;
                    return n;""", canvas);
            assertThat(((Number) edge).longValue()).as("ink in the histogram's first 3 pixel columns (a clipped y label)").isZero();
            browser.assertNoConsoleErrors("wide model's parameter");
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    @Test
    void aJobsPageShowsItsConfigurationALogScaleAndCancelsAndResumes() throws Exception {
        open();
        String model = id(browser.send("POST", "/api/v1/models", WebUiBrowserTest.NET, null), 201);
        api("PUT", "/api/v1/models/" + model + "/optimizer", """
                {"type": "SGD", "lr": 0.002, "momentum": 0.9, "scheduler": {"type": "StepLR", "step_size": 200, "gamma": 0.5}}""", 200);
        // long enough to be cancelled while it runs (it is cancelled again at the end)
        String body = "{\"data\": " + blobs(200) + ", \"loss\": \"cross_entropy\", \"epochs\": 5000, \"batch_size\": 5, \"seed\": 7}";
        String job = id(browser.send("POST", "/api/v1/models/" + model + "/jobs", body, null), 202);
        String jobPath = "/api/v1/jobs/" + job;
        try {
            driver.get(browser.url("/ui/#/jobs/" + job));
            By status = By.cssSelector(".facts .status");
            wait.until(ExpectedConditions.textToBe(status, "running"));
            String config = driver.findElement(By.cssSelector(".facts.config")).getText();
            assertThat(config).contains("cross_entropy").contains("5000").contains("batch size\n5")
                    .contains("SGD(lr=0.002, momentum=0.9)").contains("StepLR(step_size=200, gamma=0.5)");

            // Cancel, confirmed: the API says cancelled; the page offers Resume instead.
            WebElement cancel = driver.findElement(By.id("job-cancel"));
            cancel.click();
            confirm();
            new WebDriverWait(driver, Duration.ofSeconds(60)).until(ExpectedConditions.textToBe(status, "cancelled"));
            assertThat(api("GET", jobPath, null, 200).get("status").stringValue()).isEqualTo("cancelled");
            assertThat(cancel.isDisplayed()).isFalse();

            // Log scale for the loss: a new chart on uPlot's log distribution, drawn.
            WebElement log = driver.findElement(By.id("loss-log"));
            log.sendKeys(Keys.SPACE);
            WebElement loss = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".loss-box figure[data-scale=log]")));
            wait.until(d -> browser.inkedPixels(loss.findElement(By.tagName("canvas"))) > 100);
            browser.assertNoSeriousAccessibilityViolations("job page");
            browser.screenshot("job-config.png", "window.scrollTo(0, 0);");

            // Resume: the job runs on from its model's last committed epoch.
            driver.findElement(By.id("job-resume")).click();
            notice("resumed");
            new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> Set.of("queued", "running").contains(d.findElement(status).getText()));
            assertThat(api("GET", jobPath, null, 200).get("status").stringValue()).isIn("queued", "running");
            // A control the user is in keeps the focus when the live page's stream ends (the page's heading took it).
            WebElement toggle = driver.findElement(By.id("loss-log"));
            ((JavascriptExecutor) driver).executeScript("arguments[0].focus();", toggle);
            browser.send("POST", jobPath + "/cancel", null, null);   // frugal: stop it
            new WebDriverWait(driver, Duration.ofSeconds(60)).until(ExpectedConditions.textToBe(status, "cancelled"));
            Thread.sleep(2000);   // the stream's end, then the page's last two reads
            assertThat(driver.switchTo().activeElement().getAttribute("id")).as("the focused element after the job ended").isEqualTo("loss-log");
            browser.assertNoConsoleErrors("job page");
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        } finally {
            browser.send("POST", jobPath + "/cancel", null, null);
        }
    }

    /** Three blobs of 4 features with class indices, as WebUiBrowserTest's. */
    private static String blobs(int n) {
        StringBuilder input = new StringBuilder();
        StringBuilder target = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            input.append(i == 0 ? "" : ", ").append("[").append(c + 0.1 * (i % 5)).append(", ").append(-c)
                    .append(", ").append(0.3 * c).append(", ").append(1.0 - 0.2 * (i % 4)).append("]");
            target.append(i == 0 ? "" : ", ").append(c);
        }
        return "{\"input\": [" + input + "], \"target\": {\"data\": [" + target + "], \"dtype\": \"int64\"}}";
    }
}
