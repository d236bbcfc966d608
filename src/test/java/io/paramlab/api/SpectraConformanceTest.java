package io.paramlab.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every {@code kind: spectra} case through HTTP: create, load the state dict, then
 * {@code GET /models/{id}/spectra?min_evals=&bins=[&module=]} against spectra_reference.py's answer
 * (numpy's float64 SVD), with the conformance README's tolerances: names, shapes, sizes, counts,
 * qualities and the skipped list exactly; xmin within 1e-9 relative (the fit picks the same index);
 * every other number rtol 1e-6, atol 1e-9.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpectraConformanceTest {
    static final double RTOL = 1e-6;
    static final double ATOL = 1e-9;
    static final double XMIN_RTOL = 1e-9;
    private static final List<String> EXACT = List.of("name", "shape", "n", "m", "num_evals", "quality");
    private static final List<String> CLOSE = List.of("lambda_max", "norm", "log_norm", "log_spectral_norm", "stable_rank",
            "entropy", "alpha", "ks_distance", "sigma", "alpha_weighted", "log_alpha_norm");
    private static final List<String> SUMMARY = List.of("alpha", "alpha_weighted", "log_norm", "log_spectral_norm",
            "log_alpha_norm", "stable_rank");

    @LocalServerPort
    int port;

    static Stream<Arguments> spectraCases() throws Exception {
        return Conformance.cases("spectra");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spectraCases")
    void matchesTheFloat64Reference(JsonNode c) {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(c.get("create"));
        HttpApi.Answer load = api.put(model + "/state-dict?strict=true", c.get("state_dict"));
        assertThat(load.status()).as("load " + load.body()).isEqualTo(200);
        String query = "?min_evals=" + c.get("min_evals").intValue() + "&bins=" + c.get("bins").intValue()
                + (c.has("module") ? "&module=" + HttpApi.encode(c.get("module").stringValue()) : "");
        HttpApi.Answer answer = api.get(model + "/spectra" + query);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        assertSpectra(c.get("id").stringValue(), c.get("expect"), answer.body());
    }

    /** An answer of .../spectra against the reference's, with the README's tolerances (the state-dict resource can use it too). */
    static void assertSpectra(String at, JsonNode expect, JsonNode actual) {
        assertThat(names(actual.get("layers"))).as(at + " layers").isEqualTo(names(expect.get("layers")));
        for (int i = 0; i < expect.get("layers").size(); i++) {
            JsonNode want = expect.get("layers").get(i);
            JsonNode got = actual.get("layers").get(i);
            String layer = at + " " + want.get("name").stringValue();
            EXACT.forEach(f -> assertThat(got.get(f)).as(layer + " " + f).isEqualTo(want.get(f)));
            assertClose(layer + " xmin", want.get("xmin"), got.get("xmin"), XMIN_RTOL, 0);
            CLOSE.forEach(f -> assertClose(layer + " " + f, want.get(f), got.get(f), RTOL, ATOL));
            assertThat(got.get("esd").get("counts")).as(layer + " esd counts").isEqualTo(want.get("esd").get("counts"));
            assertThat(got.get("esd").get("edges").size()).as(layer + " esd edges").isEqualTo(want.get("esd").get("edges").size());
            for (int e = 0; e < want.get("esd").get("edges").size(); e++) {
                assertClose(layer + " esd edge " + e, want.get("esd").get("edges").get(e), got.get("esd").get("edges").get(e), RTOL, ATOL);
            }
        }
        assertThat(actual.get("skipped").size()).as(at + " skipped " + actual.get("skipped")).isEqualTo(expect.get("skipped").size());
        for (int i = 0; i < expect.get("skipped").size(); i++) {
            JsonNode want = expect.get("skipped").get(i);
            JsonNode got = actual.get("skipped").get(i);
            assertThat(got.get("name")).as(at + " skipped " + i + " name").isEqualTo(want.get("name"));
            assertThat(got.get("shape")).as(at + " skipped " + i + " shape").isEqualTo(want.get("shape"));
            assertThat(got.get("reason").stringValue()).as(at + " skipped " + i + " reason").isNotEmpty();
        }
        SUMMARY.forEach(f -> assertClose(at + " summary " + f, expect.get("summary").get(f), actual.get("summary").get(f), RTOL, ATOL));
        assertThat(actual.get("summary").get("quality")).as(at + " summary quality").isEqualTo(expect.get("summary").get("quality"));
    }

    private static List<String> names(JsonNode layers) {
        return layers.valueStream().map(l -> l.get("name").stringValue()).toList();
    }

    private static void assertClose(String what, JsonNode expected, JsonNode actual, double rtol, double atol) {
        assertThat(actual).as(what + " is missing").isNotNull();
        if (expected.isNull()) {
            assertThat(actual.isNull()).as(what + ": expected null, got " + actual).isTrue();
            return;
        }
        assertThat(actual.isNumber()).as(what + ": expected " + expected + ", got " + actual).isTrue();
        double x = expected.doubleValue();
        double y = actual.doubleValue();
        if (!(Math.abs(x - y) <= atol + rtol * Math.abs(x))) {
            fail(what + ": expected " + x + " but was " + y + " (rtol " + rtol + ", atol " + atol + ")");
        }
    }
}
