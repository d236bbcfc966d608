package io.paramlab.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The web UI's views of packed parameters and of a state dict's spectra, in headless Chromium (the
 * harness of {@link Browser}): an LSTM's weights split into PyTorch's gates i, f, g, o (with
 * proj_size and the reverse direction), each gate's statistics and a heat-map value checked against the
 * API's tensor; a GRUCell's r, z, n; MultiheadAttention's packed in_proj split into q, k, v and its separate
 * q/k/v projections shown whole; a stored state dict's spectra (α per layer, a layer's spectrum) with the
 * API's layer count. No console errors, no serious or critical axe-core violations; screenshots of the gates
 * and of the state dict's spectra into docs/screenshots/. Skipped, saying why, without Chromium, its driver or axe-core.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ParameterViewsBrowserTest {
    static final String LSTM = """
            {"name": "lstm", "seed": 5, "model": {"type": "LSTM", "input_size": 3, "hidden_size": 5, "proj_size": 2,
             "bidirectional": true}}""";
    static final String GRU_CELL = """
            {"name": "gru-cell", "seed": 6, "model": {"type": "GRUCell", "input_size": 4, "hidden_size": 3}}""";
    static final String MHA = """
            {"name": "mha", "seed": 7, "model": {"type": "MultiheadAttention", "embed_dim": 8, "num_heads": 2}}""";
    static final String MHA_KV = """
            {"name": "mha-kv", "seed": 8, "model": {"type": "MultiheadAttention", "embed_dim": 8, "num_heads": 2, "kdim": 5, "vdim": 6}}""";

    final JsonMapper json = JsonMapper.builder().build();
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
    void showsAnLstmsWeightsByGateAndAGruCellsGates() throws Exception {
        String lstm = Browser.id(send("POST", "/api/v1/models", LSTM), 201);
        String gruCell = Browser.id(send("POST", "/api/v1/models", GRU_CELL), 201);
        String lm;
        try (var in = getClass().getResourceAsStream("/conformance/zoo_lstm_lm_tied.json")) {
            lm = Browser.id(send("POST", "/api/v1/models", json.readTree(in).get("create").toString()), 201);
        }
        assertThat(send("POST", "/api/v1/models/" + gruCell + "/backward",
                "{\"input\": [[0.1, -0.2, 0.3, 0.4], [0.5, 0.6, -0.7, 0.8]], \"loss\": \"sum\"}").statusCode()).isEqualTo(200);
        WebDriverWait wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
        try {
            // weight_ih_l0_reverse [4 * 5, 3]: the gates i, f, g, o, 5 rows each, as torch.nn.LSTM packs them.
            openParameter(wait, lstm, "weight_ih_l0_reverse");
            List<WebElement> rows = wait.until(d -> blockRows(d, 4));
            assertThat(rows).extracting(r -> r.getAttribute("data-block")).containsExactly("i", "f", "g", "o");
            assertThat(rows).extracting(r -> r.findElement(By.tagName("th")).getText())
                    .containsExactly("i input gate", "f forget gate", "g cell candidate", "o output gate");
            assertThat(rows.get(1).findElements(By.tagName("td")).get(0).getText()).isEqualTo("5–9");
            JsonNode tensor = tensor(lstm, "weight_ih_l0_reverse");
            List<Double> forget = rowsOf(tensor, 5, 10);
            assertStats(rows.get(1), forget);
            assertStats(rows.get(3), rowsOf(tensor, 15, 20));
            // The forget gate's heat map reads out the whole tensor's index: its cell (1, 2) is [6, 2].
            WebElement forgetMap = driver.findElement(By.cssSelector(".detail figure[data-block='f'] canvas"));
            assertThat(forgetMap.getAttribute("aria-label")).contains("f (forget gate), rows 5–9").contains("5 by 3");
            assertReadout(forgetMap, 1, 2, 5, 3, "[6, 2] = ", tensor.get("data").get("data").get(6).get(2).asDouble());
            assertThat(driver.findElements(By.cssSelector(".detail figure[data-block] canvas"))).hasSize(4);
            browser.assertNoSeriousAccessibilityViolations("an LSTM's gates");

            // With proj_size 2, weight_hh_l0 is [20, 2]: still four gates of hidden_size rows, proj_size columns.
            openParameter(wait, lstm, "weight_hh_l0");
            rows = wait.until(d -> blockRows(d, 4));
            assertThat(driver.findElement(By.cssSelector(".detail figure[data-block='g'] canvas")).getAttribute("aria-label")).contains("5 by 2");
            assertThat(driver.findElement(By.cssSelector(".detail .packed .note")).getText()).contains("proj_size columns");
            assertStats(rows.get(2), rowsOf(tensor(lstm, "weight_hh_l0"), 10, 15));
            // A bias: 4 blocks of 5 elements; weight_hr_l0 (the projection) is one block, a plain heat map.
            openParameter(wait, lstm, "bias_hh_l0");
            rows = wait.until(d -> blockRows(d, 4));
            assertStats(rows.get(0), rowsOf(tensor(lstm, "bias_hh_l0"), 0, 5));
            assertReadout(driver.findElement(By.cssSelector(".detail figure[data-block='o'] canvas")), 0, 4, 1, 5,
                    "[19] = ", tensor(lstm, "bias_hh_l0").get("data").get("data").get(19).asDouble());
            openParameter(wait, lstm, "weight_hr_l0");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".detail canvas[role=img]")));
            assertThat(driver.findElements(By.cssSelector(".detail .packed"))).isEmpty();

            // A GRUCell after a backward pass: r, z, n of hidden_size 3 rows, each with its gradient's statistics.
            openParameter(wait, gruCell, "weight_hh");
            rows = wait.until(d -> blockRows(d, 3));
            assertThat(rows).extracting(r -> r.findElement(By.tagName("th")).getText())
                    .containsExactly("r reset gate", "z update gate", "n new gate");
            JsonNode hh = tensor(gruCell, "weight_hh");
            assertStats(rows.get(2), rowsOf(hh, 6, 9));
            assertThat(hh.get("grad").isNull()).as("a gradient after the backward pass").isFalse();
            assertStats(rows.get(1), rows(hh.get("grad"), 3, 6), 4);
            assertThat(driver.findElements(By.cssSelector(".detail figure[data-block$='.grad'] canvas"))).hasSize(3);
            assertThat(driver.findElements(By.cssSelector(".detail .packed .note"))).extracting(WebElement::getText)
                    .singleElement().asString().doesNotContain("proj_size");
            browser.assertNoSeriousAccessibilityViolations("a GRUCell's gates");

            // The language model of the zoo (an LSTM of hidden_size 24 between an embedding and a tied head): the picture.
            openParameter(wait, lm, "rnn.weight_hh_l1");
            rows = wait.until(d -> blockRows(d, 4));
            assertThat(rows).extracting(r -> r.findElements(By.tagName("td")).get(0).getText()).containsExactly("0–23", "24–47", "48–71", "72–95");
            assertStats(rows.get(2), rowsOf(tensor(lm, "rnn.weight_hh_l1"), 48, 72));
            assertThat(browser.consoleErrors()).as("console errors").isEmpty();
            browser.screenshot("gates.png", "document.querySelector('.detail h2').scrollIntoView();", 1000);
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    @Test
    void splitsAttentionsPackedProjectionIntoQueryKeyAndValue() throws Exception {
        String packed = Browser.id(send("POST", "/api/v1/models", MHA), 201);
        String separate = Browser.id(send("POST", "/api/v1/models", MHA_KV), 201);
        WebDriverWait wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
        try {
            openParameter(wait, packed, "in_proj_weight");
            List<WebElement> rows = wait.until(d -> blockRows(d, 3));
            assertThat(rows).extracting(r -> r.findElement(By.tagName("th")).getText()).containsExactly("q query", "k key", "v value");
            assertThat(rows).extracting(r -> r.findElements(By.tagName("td")).get(0).getText()).containsExactly("0–7", "8–15", "16–23");
            JsonNode weight = tensor(packed, "in_proj_weight");
            assertStats(rows.get(1), rowsOf(weight, 8, 16));
            assertReadout(driver.findElement(By.cssSelector(".detail figure[data-block='v'] canvas")), 3, 7, 8, 8,
                    "[19, 7] = ", weight.get("data").get("data").get(19).get(7).asDouble());
            browser.assertNoSeriousAccessibilityViolations("attention's q, k, v");

            // kdim and vdim differ: q/k/v_proj_weight as they are (one block each), in_proj_bias still packed.
            openParameter(wait, separate, "k_proj_weight");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".detail canvas[role=img]")));
            assertThat(driver.findElements(By.cssSelector(".detail .packed"))).isEmpty();
            assertThat(driver.findElement(By.cssSelector(".detail")).getText()).contains("A separate key projection");
            assertThat(driver.findElement(By.cssSelector(".detail canvas[role=img]")).getAttribute("aria-label")).contains("8 by 5");
            openParameter(wait, separate, "in_proj_bias");
            rows = wait.until(d -> blockRows(d, 3));
            assertStats(rows.get(2), rowsOf(tensor(separate, "in_proj_bias"), 16, 24));
            assertThat(browser.consoleErrors()).as("console errors").isEmpty();
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    /** The digits model's trained weights (spectra_digits_trained_long_0) stored as a state dict. */
    @Test
    void showsAStateDictsSpectra() throws Exception {
        JsonNode c;
        try (var in = getClass().getResourceAsStream("/conformance/spectra_digits_trained_long_0.json")) {
            c = json.readTree(in);
        }
        String id = Browser.id(send("POST", "/api/v1/state-dicts?name=digits", c.get("state_dict").toString()), 201);
        HttpResponse<String> spectra = send("GET", "/api/v1/state-dicts/" + id + "/spectra", null);
        assertThat(spectra.statusCode()).isEqualTo(200);
        JsonNode layers = json.readTree(spectra.body()).get("layers");
        assertThat(layers.size()).as("the API's layers").isEqualTo(3);
        WebDriverWait wait = new WebDriverWait(driver, SwaggerUiBrowserTest.WAIT);
        try {
            driver.get(browser.url("/ui/#/state-dicts/" + id));
            wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//button[text()='Compute the spectra']"))).click();
            WebElement alpha = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".sd-spectra .alpha-chart")));
            wait.until(d -> d.findElements(By.cssSelector(".sd-spectra .spectrum-chart .uplot canvas")).size() == 1);
            List<WebElement> rows = driver.findElements(By.cssSelector(".sd-spectra table.spectra tbody tr"));
            assertThat(rows).as("a row per layer").hasSize(layers.size());
            for (int i = 0; i < layers.size(); i++) {
                assertThat(rows.get(i).findElement(By.tagName("th")).getText()).isEqualTo(layers.get(i).get("name").asString());
            }
            assertThat(alpha.getAttribute("data-points")).as("layers with an α").isEqualTo(String.valueOf(layers.size()));
            assertThat(browser.inkedPixels(alpha.findElement(By.cssSelector("canvas")))).as("α chart drawn").isGreaterThan(20);
            WebElement spectrum = driver.findElement(By.cssSelector(".sd-spectra .spectrum-chart"));
            assertThat(spectrum.getText()).contains("Spectrum of 0.weight");
            assertThat(browser.inkedPixels(spectrum.findElement(By.cssSelector("canvas")))).as("spectrum drawn").isGreaterThan(20);
            assertThat(driver.findElement(By.cssSelector(".sd-spectra")).getText()).contains("1.weight").contains("rank");
            rows.get(2).findElement(By.cssSelector("button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".sd-spectra .spectrum-chart figcaption"), "5.weight"));
            browser.assertNoSeriousAccessibilityViolations("a state dict's spectra");
            assertThat(browser.consoleErrors()).as("console errors").isEmpty();
            browser.screenshot("statedict-spectra.png", "document.querySelector('#sd-spectra').scrollIntoView();");
        } catch (RuntimeException | AssertionError e) {
            browser.failureScreenshot();
            throw e;
        }
    }

    private void openParameter(WebDriverWait wait, String model, String name) {
        driver.get(browser.url("/ui/#/models/" + model + "/p:" + name));
        driver.navigate().refresh();   // the same page with another hash: a fresh render
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".detail h2"), "Parameter " + name));
    }

    private static List<WebElement> blockRows(WebDriver d, int n) {
        List<WebElement> rows = d.findElements(By.cssSelector(".detail table.packed-stats tbody tr"));
        return rows.size() == n ? rows : null;
    }

    /** The API's tensor answer {data: {shape, data}, grad} of a model's parameter. */
    private JsonNode tensor(String model, String name) throws IOException, InterruptedException {
        HttpResponse<String> answer = send("GET", "/api/v1/models/" + model + "/parameters/" + name, null);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return json.readTree(answer.body());
    }

    /** The values of rows [from, to) of the parameter's values (elements of a 1-D one), flattened. */
    private static List<Double> rowsOf(JsonNode answer, int from, int to) {
        return rows(answer.get("data"), from, to);
    }

    /** The values of rows [from, to) of a tensor {shape, dtype, data}, flattened. */
    private static List<Double> rows(JsonNode tensor, int from, int to) {
        List<Double> out = new ArrayList<>();
        JsonNode data = tensor.get("data");
        for (int i = from; i < to; i++) {
            if (data.get(i).isArray()) {
                data.get(i).forEach(v -> out.add(v.asDouble()));
            } else {
                out.add(data.get(i).asDouble());
            }
        }
        return out;
    }

    private static void assertStats(WebElement row, List<Double> values) {
        assertStats(row, values, 0);
    }

    /**
     * A block's row shows mean, std (unbiased, as torch.std), min and max of exactly these values, from its
     * statistic cell `first` on (0: the values', 4: the gradient's).
     */
    private static void assertStats(WebElement row, List<Double> values, int first) {
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
        double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        double[] expected = {mean, Math.sqrt(squares / (values.size() - 1)),
                values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                values.stream().mapToDouble(Double::doubleValue).max().orElseThrow()};
        List<WebElement> cells = row.findElements(By.cssSelector("td[data-value]"));
        for (int k = 0; k < expected.length; k++) {
            assertThat(Double.parseDouble(cells.get(first + k).getAttribute("data-value")))
                    .as(row.getAttribute("data-block") + " statistic " + k).isCloseTo(expected[k], within(1e-12));
        }
    }

    /** Points at cell (i, j) of a rows × cols heat map; its read-out names the index and the API's value. */
    private void assertReadout(WebElement canvas, int i, int j, int rows, int cols, String index, double value) {
        String text = (String) browser.js("""
                const [c, i, j, rows, cols] = arguments, box = c.getBoundingClientRect();
                c.dispatchEvent(new MouseEvent('mousemove', {clientX: box.left + (j + 0.5) * box.width / cols,
                    clientY: box.top + (i + 0.5) * box.height / rows}));
                return c.closest('figure').querySelector('.readout').textContent;""", canvas, i, j, rows, cols);
        assertThat(text).startsWith(index);
        assertThat(Double.parseDouble(text.substring(index.length()).replace('−', '-'))).isCloseTo(value, within(Math.abs(value) * 1e-3));
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return browser.send(method, path, body, null);
    }
}
