package io.paramlab.bench;

import io.paramlab.nn.Module;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;
import tools.jackson.databind.json.JsonMapper;

import java.util.Random;

/** The benchmarked models, built from the same JSON specs a client posts; bench/pytorch_bench.py builds the same in PyTorch. */
final class BenchModels {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Model name, spec, batch size, input and output width. */
    enum Kind {
        NET("""
                {"type": "Sequential", "layers": [
                  {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
                  {"type": "Linear", "in_features": 8, "out_features": 1}]}""", 2, 4, 1),
        TIED("""
                {"type": "Sequential", "layers": [
                  {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
                  {"ref": "shared"}, {"type": "ReLU"}, {"ref": "shared"}, {"type": "ReLU"},
                  {"type": "Linear", "in_features": 8, "out_features": 1}]}""", 2, 4, 1),
        MLP784("""
                {"type": "Sequential", "layers": [
                  {"type": "Linear", "in_features": 784, "out_features": 256}, {"type": "ReLU"},
                  {"type": "Linear", "in_features": 256, "out_features": 10}]}""", 64, 784, 10),
        MLP1024("""
                {"type": "Sequential", "layers": [
                  {"type": "Linear", "in_features": 1024, "out_features": 1024}, {"type": "ReLU"},
                  {"type": "Linear", "in_features": 1024, "out_features": 1024}, {"type": "ReLU"},
                  {"type": "Linear", "in_features": 1024, "out_features": 10}]}""", 128, 1024, 10),
        /** 25,171,968 parameters: the state-dict benchmark's and StateDictHeapIT's model. */
        PARAMS25M("""
                {"type": "Sequential", "layers": [
                  {"type": "Linear", "in_features": 4096, "out_features": 4096}, {"type": "ReLU"},
                  {"type": "Linear", "in_features": 4096, "out_features": 2048}]}""", 1, 4096, 2048);

        final String model;
        final int batch;
        final int in;
        final int out;

        Kind(String model, int batch, int in, int out) {
            this.model = model;
            this.batch = batch;
            this.in = in;
            this.out = out;
        }

        Module build() {
            String shared = this == TIED
                    ? ", \"shared\": {\"shared\": {\"type\": \"Linear\", \"in_features\": 8, \"out_features\": 8}}" : "";
            String spec = "{\"name\": \"" + name().toLowerCase() + "\", \"seed\": 42" + shared + ", \"model\": " + model + "}";
            return ModuleFactory.build(SpecParser.parse(JSON.readTree(spec), 32), new Generator(42)).root();
        }

        Tensor input() {
            return random(batch, in);
        }

        Tensor target() {
            return random(batch, out);
        }
    }

    static Tensor random(int rows, int cols) {
        Random random = new Random(7);
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) data[i] = random.nextFloat();
        return Tensor.of(data, rows, cols);
    }

    private BenchModels() {
    }
}
