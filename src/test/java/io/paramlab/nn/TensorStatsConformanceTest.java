package io.paramlab.nn;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Every {@code stats_*} case at the engine level: the whole answer of GET /models/{id}/stats against PyTorch's. */
class TensorStatsConformanceTest {
    static final double RTOL = 1e-5;
    /** The numeric cases' absolute tolerance for gradients (conformance README). */
    static final double NUMERIC_ATOL = 1e-5;

    static Stream<Arguments> statsCases() throws Exception {
        List<JsonNode> cases = CaseModels.cases("stats_");
        assertThat(cases).as("stats cases").isNotEmpty();
        return cases.stream().map(c -> Arguments.of(Named.of(c.get("id").stringValue(), c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statsCases")
    void matchesPyTorch(JsonNode c) {
        ModelStats stats = ModelStats.of(CaseModels.build(c), c.get("bins").intValue());
        JsonNode expect = c.get("expect");

        assertThat(stats.parameters()).hasSize(expect.get("parameters").size());
        for (int i = 0; i < stats.parameters().size(); i++) {
            ModelStats.ParameterStats actual = stats.parameters().get(i);
            JsonNode want = expect.get("parameters").get(i);
            String at = "parameter " + want.get("name").stringValue();
            assertEntry(at, want, actual.name(), actual.shape(), actual.numel());
            assertStats(at + " data", want.get("data"), actual.data());
            if (want.get("grad").isNull()) {
                assertThat(actual.grad()).as(at + " grad").isNull();
            } else if (isRoundingNoise(want.get("grad"))) {
                assertNoise(at + " grad", want.get("grad"), actual.grad());
            } else {
                assertStats(at + " grad", want.get("grad"), actual.grad());
            }
            assertThat(actual.updateRatio()).as(at + " update_ratio without an optimizer").isNull();
        }
        assertThat(stats.buffers()).hasSize(expect.get("buffers").size());
        for (int i = 0; i < stats.buffers().size(); i++) {
            ModelStats.BufferStats actual = stats.buffers().get(i);
            JsonNode want = expect.get("buffers").get(i);
            String at = "buffer " + want.get("name").stringValue();
            assertEntry(at, want, actual.name(), actual.shape(), actual.numel());
            assertStats(at + " data", want.get("data"), actual.data());
        }
    }

    /**
     * A gradient that is zero in exact arithmetic (a bias right before BatchNorm) is rounding noise
     * below 1e-8 in PyTorch and other noise here: the engine's gradients agree with PyTorch's within
     * the numeric cases' atol 1e-5, not bit for bit, so such a gradient's bins and exact zeros are
     * not comparable, only its size is.
     */
    static boolean isRoundingNoise(JsonNode want) {
        double largest = Math.max(Math.abs(CaseModels.number(want.get("min"))), Math.abs(CaseModels.number(want.get("max"))));
        return largest < NUMERIC_ATOL;
    }

    static void assertNoise(String at, JsonNode want, TensorStats actual) {
        assertThat(actual.nanCount()).as(at + " nan_count").isEqualTo(want.get("nan_count").longValue());
        assertThat(actual.infCount()).as(at + " inf_count").isEqualTo(want.get("inf_count").longValue());
        for (double v : new double[] {actual.mean(), actual.min(), actual.max(), actual.std(), actual.l2Norm()}) {
            assertThat(Math.abs(v)).as(at + " is rounding noise like PyTorch's").isLessThan(NUMERIC_ATOL);
        }
        long wantFinite = 0;
        for (JsonNode count : want.get("histogram").get("counts")) wantFinite += count.longValue();
        assertThat(Arrays.stream(actual.histogram().counts()).sum()).as(at + " every finite element counted once")
                .isEqualTo(wantFinite);
    }

    static void assertEntry(String at, JsonNode want, String name, int[] shape, int numel) {
        assertThat(name).as(at + " name").isEqualTo(want.get("name").stringValue());
        int[] wantShape = new int[want.get("shape").size()];
        for (int i = 0; i < wantShape.length; i++) wantShape[i] = want.get("shape").get(i).intValue();
        assertThat(shape).as(at + " shape").isEqualTo(wantShape);
        assertThat(numel).as(at + " numel").isEqualTo(want.get("numel").intValue());
    }

    /** Counts exactly, numbers within rtol 1e-5, NaN where PyTorch has NaN. */
    static void assertStats(String at, JsonNode want, TensorStats actual) {
        assertThat(actual.nanCount()).as(at + " nan_count").isEqualTo(want.get("nan_count").longValue());
        assertThat(actual.infCount()).as(at + " inf_count").isEqualTo(want.get("inf_count").longValue());
        assertClose(at + " zero_fraction", want.get("zero_fraction"), actual.zeroFraction());
        assertClose(at + " mean", want.get("mean"), actual.mean());
        assertClose(at + " std", want.get("std"), actual.std());
        assertClose(at + " min", want.get("min"), actual.min());
        assertClose(at + " max", want.get("max"), actual.max());
        assertClose(at + " l2_norm", want.get("l2_norm"), actual.l2Norm());
        JsonNode histogram = want.get("histogram");
        if (histogram.isNull()) {
            assertThat(actual.histogram()).as(at + " histogram").isNull();
            return;
        }
        long[] counts = new long[histogram.get("counts").size()];
        for (int i = 0; i < counts.length; i++) counts[i] = histogram.get("counts").get(i).longValue();
        assertThat(actual.histogram().counts()).as(at + " histogram counts").isEqualTo(counts);
        double[] edges = actual.histogram().edges();
        assertThat(edges).as(at + " edges").hasSize(histogram.get("edges").size());
        // an inner edge is min + i·step: it inherits the endpoints' error, so its tolerance is relative to them
        double scale = Math.max(Math.abs(edges[0]), Math.abs(edges[edges.length - 1]));
        for (int i = 0; i < edges.length; i++) {
            double expected = histogram.get("edges").get(i).doubleValue();
            if (!(Math.abs(expected - edges[i]) <= RTOL * scale)) {
                fail(at + " edges[" + i + "]: expected " + expected + " but was " + edges[i] + " (rtol " + RTOL + " of the range)");
            }
        }
    }

    private static void assertClose(String what, JsonNode want, double actual) {
        double expected = CaseModels.number(want);
        if (Double.isNaN(expected) ? !Double.isNaN(actual) : !(Math.abs(expected - actual) <= RTOL * Math.abs(expected))) {
            fail(what + ": expected " + expected + " but was " + actual + " (rtol " + RTOL + ")");
        }
    }
}
