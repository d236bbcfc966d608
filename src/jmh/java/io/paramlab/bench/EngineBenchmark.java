package io.paramlab.bench;

import io.paramlab.nn.Module;
import io.paramlab.tensor.GradMode;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
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

/**
 * Time per forward (no graph, as torch.no_grad()) and per forward + MSE loss + backward (gradients
 * accumulating), the loop bench/pytorch_bench.py times in PyTorch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EngineBenchmark {
    @Param({"NET", "TIED", "MLP784", "MLP1024"})
    public String model;

    private Module net;
    private Tensor x;
    private Tensor y;

    @Setup
    public void setUp() {
        BenchModels.Kind kind = BenchModels.Kind.valueOf(model);
        net = kind.build();
        x = kind.input();
        y = kind.target();
    }

    @Benchmark
    public Tensor forward() {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return net.forward(x);
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        Tensor loss = Losses.mse(net.forward(x), y);
        loss.backward();
        return loss;
    }
}
