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

    private static void assertEntry(String at, JsonNode want, String name, int[] shape, int numel) {
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
        for (int i = 0; i < edges.length; i++) {
            assertClose(at + " edges[" + i + "]", histogram.get("edges").get(i), edges[i]);
        }
        assertThat(Arrays.stream(counts).sum()).as(at + " every finite element counted once")
                .isEqualTo(actual.histogram() == null ? 0 : Arrays.stream(actual.histogram().counts()).sum());
    }

    private static void assertClose(String what, JsonNode want, double actual) {
        double expected = CaseModels.number(want);
        if (Double.isNaN(expected) ? !Double.isNaN(actual) : !(Math.abs(expected - actual) <= RTOL * Math.abs(expected))) {
            fail(what + ": expected " + expected + " but was " + actual + " (rtol " + RTOL + ")");
        }
    }
}
