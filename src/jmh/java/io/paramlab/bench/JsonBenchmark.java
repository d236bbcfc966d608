package io.paramlab.bench;

import io.paramlab.api.TensorJson;
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
import tools.jackson.databind.json.JsonMapper;

import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/** The tensor JSON codec on a 1M-element tensor [1000, 1000], through a mapper set up as the service's. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class JsonBenchmark {
    static final JsonMapper JSON = JsonMapper.builder().addModule(TensorJson.module()).build();

    private TensorData tensor;
    private byte[] text;

    @Setup
    public void setUp() {
        tensor = TensorData.of(BenchModels.random(1000, 1000));
        text = JSON.writeValueAsBytes(tensor);
    }

    @Benchmark
    public long render1M() {
        CountingStream out = new CountingStream();
        JSON.writeValue(out, tensor);
        return out.count;
    }

    @Benchmark
    public TensorData parse1M() {
        return JSON.readValue(text, TensorData.class);
    }

    /** Where a rendered answer goes: counted, not kept. */
    static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
