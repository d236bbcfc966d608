package io.paramlab.bench;

import io.paramlab.nn.ModelStats;
import io.paramlab.nn.Module;
import io.paramlab.nn.TensorStats;
import io.paramlab.tensor.Losses;
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

import java.util.concurrent.TimeUnit;

/** GET /models/{id}/stats of a 25,171,968-parameter model, its weights alone and with their gradients. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class StatsBenchmark {
    @Param({"30"})
    public int bins;

    private Module weightsOnly;
    private Module withGrads;

    @Setup
    public void setUp() {
        weightsOnly = BenchModels.Kind.PARAMS25M.build();
        withGrads = BenchModels.Kind.PARAMS25M.build();
        BenchModels.Kind kind = BenchModels.Kind.PARAMS25M;
        Losses.mse(withGrads.forward(kind.input()), kind.target()).backward();
        // the service also reads int64 buffers (num_batches_tracked): keep that path warm, as it would be
        for (int i = 0; i < 20_000; i++) {
            TensorStats.of(new long[] {i, i + 1}, bins);
        }
    }

    @Benchmark
    public ModelStats stats25M() {
        return ModelStats.of(weightsOnly, bins);
    }

    @Benchmark
    public ModelStats stats25MWithGrads() {
        return ModelStats.of(withGrads, bins);
    }
}
