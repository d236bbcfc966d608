package io.paramlab.bench;

import io.paramlab.nn.Module;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Blas;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.GradMode;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The convolutional side of bench/cnn.sh, one measurement per JVM so that runs interleave with
 * bench/pytorch_cnn.py's. The models are the zoo conformance cases' specs (the "create" body a
 * client posts), run at the engine level in training mode; the loss is cross_entropy against fixed
 * labels, gradients accumulate (as bench/pytorch_cnn.py does). Prints one JSON line.
 *
 * <pre>
 *   time MODEL BATCH SIZE SECONDS   best and median ms per forward (no grad) and per forward+backward
 *   sgemm N SECONDS                 GFLOP/s of an N x N x N sgemm through {@link Blas}
 *   memory MODEL BATCH SIZE         heap used after a full GC: at rest, after the forward (graph alive),
 *                                   and the pools' peak during forward+backward (run with -XX:+UseSerialGC
 *                                   and a small -Xmn so that the peak is close to the live peak)
 * </pre>
 * MODEL is a zoo case name without the prefix: resnet18, mobilenet_v2, d2l_lenet.
 */
public final class CnnBench {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CnnBench() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        String out = switch (args[0]) {
            case "time" -> time(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Double.parseDouble(args[4]));
            case "sgemm" -> sgemm(Integer.parseInt(args[1]), Double.parseDouble(args[2]));
            case "memory" -> memory(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("time | sgemm | memory, not " + args[0]);
        };
        System.out.println(out);
    }

    /** The zoo case's model, built from its "create" body with its seed, in training mode. */
    static Module build(String model) throws Exception {
        Path file = Path.of("src/test/resources/conformance/zoo_" + model + ".json");
        JsonNode create = JSON.readTree(Files.readString(file)).get("create");
        long seed = create.path("seed").asLong(0);
        Module net = ModuleFactory.build(SpecParser.parse(create, 64), new Generator(seed)).root();
        net.train(true);
        return net;
    }

    static Tensor input(int batch, int channels, int size) {
        Random random = new Random(7);
        float[] data = new float[batch * channels * size * size];
        for (int i = 0; i < data.length; i++) data[i] = (float) random.nextGaussian();
        return Tensor.of(data, batch, channels, size, size);
    }

    static Tensor labels(int batch, int classes) {
        long[] y = new long[batch];
        for (int i = 0; i < batch; i++) y[i] = (i * 37L) % classes;
        return Tensor.ofLongs(y, batch);
    }

    private static int channels(String model) {
        return model.equals("d2l_lenet") ? 1 : 3;
    }

    private static String time(String model, int batch, int size, double seconds) throws Exception {
        Module net = build(model);
        Tensor x = input(batch, channels(model), size);
        Tensor probe;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            probe = net.forward(x);
        }
        Tensor y = labels(batch, probe.size(1));
        double[] fwd = perCallMs(() -> {
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                net.forward(x);
            }
        }, seconds);
        double[] fb = perCallMs(() -> Losses.crossEntropy(net.forward(x), y).backward(), seconds);
        return String.format("{\"side\": \"paramlab\", \"model\": \"%s\", \"batch\": %d, \"size\": %d, \"threads\": \"%s\", "
                        + "\"forward_ms\": %.3f, \"forward_median_ms\": %.3f, \"forward_backward_ms\": %.3f, "
                        + "\"forward_backward_median_ms\": %.3f, \"forward_cpu_ms\": %.3f, \"forward_backward_cpu_ms\": %.3f, "
                        + "\"blas\": \"%s\"}",
                model, batch, size, threads(), fwd[0], fwd[1], fb[0], fb[1], fwd[3], fb[3], Blas.implementation());
    }

    private static String threads() {
        String t = System.getenv("OPENBLAS_NUM_THREADS");
        return t == null ? "default" : t;
    }

    /**
     * Warm-up of at least a third of the time (and 3 calls), then rounds of at least 1/7 of the time
     * each (at least 2 rounds): the best round's wall time per call, the median round's, and the same
     * two of this thread's CPU time (with one BLAS thread, the work runs on this thread; on a busy
     * machine its CPU time is what the work costs, its wall time also how long it waited for a core).
     */
    static double[] perCallMs(Runnable fn, double seconds) {
        java.lang.management.ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
        for (int i = 0; i < 3 || System.nanoTime() < warmEnd; i++) fn.run();
        long end = System.nanoTime() + (long) (seconds * 2 / 3 * 1e9);
        double roundNanos = seconds / 7 * 1e9;
        java.util.List<Double> rounds = new java.util.ArrayList<>();
        java.util.List<Double> cpuRounds = new java.util.ArrayList<>();
        while (rounds.size() < 2 || System.nanoTime() < end) {
            int n = 0;
            long start = System.nanoTime();
            long cpuStart = cpu.getCurrentThreadCpuTime();
            long elapsed;
            do {
                fn.run();
                n++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < roundNanos);
            rounds.add(elapsed / 1e6 / n);
            cpuRounds.add((cpu.getCurrentThreadCpuTime() - cpuStart) / 1e6 / n);
        }
        double[] sorted = rounds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] cpuSorted = cpuRounds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {sorted[0], sorted[sorted.length / 2], cpuSorted[0], cpuSorted[cpuSorted.length / 2]};
    }

    private static String sgemm(int n, double seconds) {
        Random random = new Random(1);
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
            b[i] = random.nextFloat();
        }
        double[] ms = perCallMs(() -> Blas.sgemm(false, false, n, n, n, a, b, c, 0f), seconds);
        double flop = 2.0 * n * n * n;
        return String.format("{\"side\": \"paramlab\", \"sgemm\": %d, \"threads\": \"%s\", \"gflops\": %.2f, \"gflops_median\": %.2f, "
                + "\"gflops_cpu\": %.2f, \"blas\": \"%s\"}", n, threads(), flop / ms[0] / 1e6, flop / ms[1] / 1e6, flop / ms[3] / 1e6,
                Blas.describe());
    }

    private static String memory(String model, int batch, int size) throws Exception {
        Module net = build(model);
        Tensor x = input(batch, channels(model), size);
        Tensor y = labels(batch, 1000);
        long rest = liveHeap();
        resetPeaks();
        Tensor loss = Losses.crossEntropy(net.forward(x), y);
        long afterForward = liveHeap();
        resetPeaks();
        loss.backward();
        long peakBackward = peakHeap();
        long afterBackward = liveHeap();
        return String.format("{\"side\": \"paramlab\", \"model\": \"%s\", \"batch\": %d, \"size\": %d, \"rest_mb\": %.1f, "
                        + "\"after_forward_mb\": %.1f, \"peak_backward_mb\": %.1f, \"after_backward_mb\": %.1f, \"gc\": \"%s\"}",
                model, batch, size, rest / 1e6, afterForward / 1e6, peakBackward / 1e6, afterBackward / 1e6,
                ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of the heap pools' peaks since the last reset: an upper bound of the live peak (garbage included). */
    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
