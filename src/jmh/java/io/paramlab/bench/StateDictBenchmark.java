package io.paramlab.bench;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.core.type.TypeReference;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Rendering and parsing the state dict of a 25,171,968-parameter model (about 300 MB of JSON). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 4)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
public class StateDictBenchmark {
    private Map<String, TensorData> state;
    private byte[] text;

    @Setup
    public void setUp() {
        Module model = BenchModels.Kind.PARAMS25M.build();
        state = model.stateDict();
        text = JsonBenchmark.JSON.writeValueAsBytes(state);
    }

    @Benchmark
    public long render25M() {
        JsonBenchmark.CountingStream out = new JsonBenchmark.CountingStream();
        JsonBenchmark.JSON.writeValue(out, state);
        return out.count;
    }

    @Benchmark
    public Map<String, TensorData> parse25M() {
        return JsonBenchmark.JSON.readValue(text, new TypeReference<LinkedHashMap<String, TensorData>>() { });
    }
}
