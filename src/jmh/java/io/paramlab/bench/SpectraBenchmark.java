package io.paramlab.bench;

import io.paramlab.nn.spectra.SingularValues;
import io.paramlab.nn.spectra.Spectra;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Spectra of resnet18-sized weights (its convolutions and fc, He-normal draws) and of one 4096 x 4096
 * layer: the whole computation (LAPACK dgesdd per kernel position, the fit, the esd), beside
 * bench/spectra_numpy.py's numpy.linalg.svd(compute_uv=False) of the same shapes. bench/spectra.sh runs
 * both. One shot per measurement: a 4096² SVD takes a while.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
public class SpectraBenchmark {
    /** resnet18's weights of rank ≥ 2 (torchvision's order); conv1's [64, 3, 7, 7] is skipped (m = 3 < 10). */
    static final int[][] RESNET18 = {
            {64, 3, 7, 7},
            {64, 64, 3, 3}, {64, 64, 3, 3}, {64, 64, 3, 3}, {64, 64, 3, 3},
            {128, 64, 3, 3}, {128, 128, 3, 3}, {128, 64, 1, 1}, {128, 128, 3, 3}, {128, 128, 3, 3},
            {256, 128, 3, 3}, {256, 256, 3, 3}, {256, 128, 1, 1}, {256, 256, 3, 3}, {256, 256, 3, 3},
            {512, 256, 3, 3}, {512, 512, 3, 3}, {512, 256, 1, 1}, {512, 512, 3, 3}, {512, 512, 3, 3},
            {1000, 512}};

    @Param({"resnet18", "dense4096"})
    public String weights;

    private List<Spectra.Candidate> candidates;

    @Setup
    public void setUp() {
        System.out.println("LAPACK: " + SingularValues.implementation());
        int[][] shapes = weights.equals("resnet18") ? RESNET18 : new int[][] {{4096, 4096}};
        SplittableRandom random = new SplittableRandom(42);
        candidates = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            int[] shape = shapes[i];
            int numel = 1;
            int fanIn = 1;
            for (int d = 0; d < shape.length; d++) {
                numel *= shape[d];
                fanIn *= d == 0 ? 1 : shape[d];
            }
            float[] w = new float[numel];
            double std = Math.sqrt(2.0 / fanIn);
            for (int e = 0; e < numel; e++) {
                w[e] = (float) (gaussian(random) * std);
            }
            candidates.add(Spectra.Candidate.ofFloats("w" + i, shape, w));
        }
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    @Benchmark
    public Spectra.Result spectra() {
        return Spectra.compute(candidates, 50, 10, Long.MAX_VALUE);
    }
}
