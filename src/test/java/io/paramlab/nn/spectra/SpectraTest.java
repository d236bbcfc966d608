package io.paramlab.nn.spectra;

import io.paramlab.tensor.Blas;
import io.paramlab.tensor.Deadline;
import io.paramlab.tensor.DeadlineExceededException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * The computation alone, on small spectra whose answers spectra_reference.py (the conformance
 * cases' float64 reference, numpy's SVD) gave: run from src/test/resources/conformance/scripts with
 * /usr/bin/python3 as each test's comment says.
 */
class SpectraTest {

    /** OpenBLAS's LAPACK where the system has it, unless this is the java-blas run, which must really be Java (F2J). */
    @Test
    void theChosenLapackIsTheExpectedOne() {
        if (Boolean.getBoolean("paramlab.test.java-blas")) {
            assertThat(SingularValues.implementation()).isIn("F2jLAPACK", "JavaLAPACK");
            return;
        }
        assumeThat(Blas.openBlasInstalled()).as("OpenBLAS (libopenblas.so.0) is installed").isTrue();
        assertThat(SingularValues.implementation()).isEqualTo("JNILAPACK");
    }

    /** {@code sr.wwfit(np.array([1., 2., 3., 4., 5., 10., 20., 50., 100.]))}: index 1. */
    @Test
    void theFitTakesTheFirstSmallestKsDistance() {
        PowerLawFit fit = PowerLawFit.of(new double[] {1, 2, 3, 4, 5, 10, 20, 50, 100});
        assertThat(fit.xmin()).isEqualTo(2.0);
        assertThat(fit.tail()).isEqualTo(8);
        assertThat(fit.alpha()).isCloseTo(1.6126594657272197, within(1e-12));
        assertThat(fit.ksDistance()).isCloseTo(0.13102769222745458, within(1e-12));
        assertThat(fit.sigma()).isCloseTo(0.21660783138692213, within(1e-12));
    }

    @Test
    void aPerfectPowerLawTailIsFoundWithItsExponent() {
        // x_k = (1 - k/n)^(-1/(α-1)): the quantiles of a Pareto law with α = 3 and xmin = 1, so D is about 1/n at i = 0
        int n = 2000;
        double[] x = new double[n];
        for (int k = 0; k < n; k++) {
            x[k] = Math.pow(1 - (double) k / n, -1 / 2.0);
        }
        PowerLawFit fit = PowerLawFit.of(x);
        assertThat(fit.alpha()).isCloseTo(3.0, withinPercentage(3));
        assertThat(fit.ksDistance()).isLessThan(0.02);
    }

    /**
     * A rank-4 conv weight, sliced per kernel position and pooled:
     * {@code w = np.array([math.sin(0.37*i + 0.1*(i % 7)) for i in range(12*10*3*3)]).reshape(12, 10, 3, 3)},
     * {@code sr.spectra([("conv.weight", torch.tensor(w), None)], min_evals=10, bins=5)}.
     */
    @Test
    void aConvWeightIsSlicedPerKernelPositionAndPooled() {
        double[] w = new double[12 * 10 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.sin(0.37 * i + 0.1 * (i % 7));
        }
        Spectra.Result r = Spectra.compute(List.of(candidate("conv.weight", w, 12, 10, 3, 3)), 5, 10, Long.MAX_VALUE);
        Spectra.Layer l = r.layers().get(0);
        assertThat(l.n()).isEqualTo(12);
        assertThat(l.m()).isEqualTo(10);
        assertThat(l.numEvals()).isEqualTo(87);
        assertThat(l.lambdaMax()).isCloseTo(46.12399173856157, withinPercentage(1e-8));
        assertThat(l.norm()).isCloseTo(539.0932177709427, withinPercentage(1e-8));
        assertThat(l.entropy()).isCloseTo(0.6598410488305493, withinPercentage(1e-8));
        assertThat(l.xmin()).isCloseTo(0.04018223317036987, withinPercentage(1e-8));
        assertThat(l.alpha()).isCloseTo(1.3667830218956762, withinPercentage(1e-8));
        assertThat(l.ksDistance()).isCloseTo(0.16176981829461945, withinPercentage(1e-8));
        assertThat(l.logAlphaNorm()).isCloseTo(3.282591743733893, withinPercentage(1e-8));
        assertThat(l.quality()).isEqualTo("over-trained");
        assertThat(l.esd().counts()).containsExactly(3, 22, 26, 18, 18);
        assertThat(l.esd().edges()[0]).isCloseTo(-3.2243635997141302, within(1e-9));
    }

    /**
     * A rank-3 (Conv1d) weight whose rows are more than its columns:
     * {@code w3 = np.array([math.cos(0.11*i*i) for i in range(20*11*2)]).reshape(20, 11, 2)}, min_evals=10, bins=4.
     */
    @Test
    void aConv1dWeightAndTheSummary() {
        double[] w = new double[20 * 11 * 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.cos(0.11 * i * i);
        }
        Spectra.Result r = Spectra.compute(List.of(candidate("c1.weight", w, 20, 11, 2)), 4, 10, Long.MAX_VALUE);
        Spectra.Layer l = r.layers().get(0);
        assertThat(l.numEvals()).isEqualTo(22);
        assertThat(l.alpha()).isCloseTo(6.3390533281426125, withinPercentage(1e-8));
        assertThat(l.xmin()).isCloseTo(12.923830124369085, withinPercentage(1e-8));
        assertThat(l.sigma()).isCloseTo(1.7796844427142042, withinPercentage(1e-8));
        assertThat(l.quality()).isEqualTo("under-trained");
        assertThat(l.esd().counts()).containsExactly(2, 2, 5, 13);
        assertThat(r.summary().alphaWeighted()).isCloseTo(8.097595184477681, withinPercentage(1e-8));
        assertThat(r.summary().quality()).containsEntry("under-trained", 1).containsEntry("ok", 0).containsEntry("over-trained", 0);
    }

    @Test
    void aFlatSpectrumAndASingleEigenvalueHaveNoFit() {
        double[] identity = new double[12 * 12];
        for (int i = 0; i < 12; i++) {
            identity[i * 12 + i] = 1;
        }
        double[] rankOne = new double[12 * 15];
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 15; j++) {
                rankOne[i * 15 + j] = (i + 1) * 0.1 * (j - 7);
            }
        }
        Spectra.Result r = Spectra.compute(List.of(candidate("eye", identity, 12, 12), candidate("one", rankOne, 12, 15)),
                10, 10, Long.MAX_VALUE);
        Spectra.Layer eye = r.layers().get(0);
        assertThat(eye.numEvals()).isEqualTo(12);
        assertThat(eye.entropy()).isCloseTo(1.0, within(1e-12));
        assertThat(eye.alpha()).isNull();
        assertThat(eye.quality()).isNull();
        assertThat(eye.esd().edges()[0]).isCloseTo(-1.0, within(1e-12));   // min = max: the range is min − 1 .. max + 1
        Spectra.Layer one = r.layers().get(1);
        assertThat(one.numEvals()).isEqualTo(1);
        assertThat(one.entropy()).isEqualTo(0.0);
        assertThat(one.alpha()).isNull();
        assertThat(one.logAlphaNorm()).isNull();
        assertThat(r.summary().alpha()).isNull();
        assertThat(r.summary().stableRank()).isCloseTo((12 + 1) / 2.0, within(1e-9));
    }

    @Test
    void skippedInTheContractsOrderWithoutReadingWhatTheShapeRulesOut() {
        AtomicInteger reads = new AtomicInteger();
        double[] nan = new double[12 * 12];
        nan[5] = Double.NaN;
        List<Spectra.Candidate> candidates = List.of(
                new Spectra.Candidate("tied", new int[] {12, 12}, "float32", true, counting(reads, new double[144])),
                new Spectra.Candidate("ints", new int[] {12, 12}, "int64", false, counting(reads, new double[144])),
                new Spectra.Candidate("bias", new int[] {12}, "float32", false, counting(reads, new double[12])),
                new Spectra.Candidate("thin", new int[] {40, 9}, "bfloat16", false, counting(reads, new double[360])),
                new Spectra.Candidate("nan", new int[] {12, 12}, "float16", false, () -> nan.clone()),
                new Spectra.Candidate("zero", new int[] {12, 12}, "float64", false, () -> new double[144]),
                new Spectra.Candidate("tiny", new int[] {12, 12}, "float32", false, () -> filled(144, 1e-4)));
        Spectra.Result r = Spectra.compute(candidates, 10, 10, Long.MAX_VALUE);
        assertThat(r.layers()).isEmpty();
        assertThat(r.skipped()).extracting(Spectra.Skipped::name).containsExactly("tied", "ints", "bias", "thin", "nan", "zero", "tiny");
        assertThat(r.skipped()).extracting(Spectra.Skipped::reason)
                .containsExactly("tied", "dtype", "rank", "min_evals", "non_finite", "no_evals", "no_evals");
        assertThat(reads).hasValue(0);
        assertThat(r.summary().quality()).containsOnlyKeys("over-trained", "ok", "under-trained");
    }

    @Test
    void theWorkIsWeighedFromTheShapesBeforeAnyValueIsRead() {
        AtomicInteger reads = new AtomicInteger();
        List<Spectra.Candidate> candidates = new ArrayList<>();
        candidates.add(new Spectra.Candidate("small", new int[] {20, 10}, "float32", false, counting(reads, new double[200])));
        candidates.add(new Spectra.Candidate("conv", new int[] {64, 32, 3, 3}, "float32", false, counting(reads, new double[64 * 32 * 9])));
        long small = 20L * 10 * 10;
        long conv = 9L * 64 * 32 * 32;
        assertThat(Spectra.work(candidates, 10, Long.MAX_VALUE)).isEqualTo(small + conv);
        long before = SingularValues.calls();
        assertThatThrownBy(() -> Spectra.compute(candidates, 10, 10, small + conv - 1))
                .isInstanceOfSatisfying(SpectraWorkException.class, e -> {
                    assertThat(e.layer()).isEqualTo("conv");
                    assertThat(e.work()).isEqualTo(small + conv);
                    assertThat(e.maxWork()).isEqualTo(small + conv - 1);
                });
        assertThat(reads).hasValue(0);
        assertThat(SingularValues.calls()).isEqualTo(before);
        assertThat(Spectra.work(List.of(new Spectra.Candidate("huge", new int[] {1 << 30, 1 << 30, 1 << 30}, "float32", false,
                () -> new double[0])), 10, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);   // saturates, never wraps
    }

    @Test
    void theDeadlineStopsTheWorkBetweenMatrices() {
        double[] w = new double[16 * 16 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.sin(i);
        }
        try (Deadline.Scope scope = Deadline.start(0)) {
            assertThatThrownBy(() -> Spectra.compute(List.of(candidate("conv", w, 16, 16, 3, 3)), 10, 10, Long.MAX_VALUE))
                    .isInstanceOf(DeadlineExceededException.class);
        }
    }

    @Test
    void singularValuesOfKnownMatrices() {
        // column-major [[3, 0], [0, -4], [0, 0]] (3 x 2): σ = 4, 3
        assertThat(SingularValues.of(new double[] {3, 0, 0, 0, -4, 0}, 3, 2)).containsExactly(4.0, 3.0);
        assertThat(SingularValues.of(new double[0], 0, 5)).isEmpty();
        assertThatThrownBy(() -> SingularValues.of(new double[5], 2, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badParametersAreRefusedBeforeAnyWork() {
        assertThatThrownBy(() -> Spectra.compute(List.of(), 0, 10, 1)).hasMessageContaining("bins");
        assertThatThrownBy(() -> Spectra.compute(List.of(), 1001, 10, 1)).hasMessageContaining("bins");
        assertThatThrownBy(() -> Spectra.compute(List.of(), 50, 0, 1)).hasMessageContaining("min_evals must be at least 1, got 0");
    }

    private static Spectra.Candidate candidate(String name, double[] values, int... shape) {
        return new Spectra.Candidate(name, shape, "float64", false, values::clone);
    }

    private static Spectra.Values counting(AtomicInteger reads, double[] values) {
        return () -> {
            reads.incrementAndGet();
            return values.clone();
        };
    }

    private static double[] filled(int n, double v) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, v);
        return out;
    }
}
