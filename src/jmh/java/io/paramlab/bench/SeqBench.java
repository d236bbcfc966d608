package io.paramlab.bench;

import io.paramlab.nn.Module;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Blas;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.GradMode;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The sequence side of bench/seq.sh, one measurement per JVM so that runs interleave with
 * bench/pytorch_seq.py's: the models are "create" bodies a client would post, built by
 * {@link ModuleFactory} and run at the engine level in training mode, gradients accumulating.
 * Prints one JSON line.
 *
 * <pre>
 *   time lstm_lm SECONDS        Embedding(64, 256) → LSTM(256, 256, num_layers=2) → Linear(256, 64),
 *                               batch 32 × 64 steps, cross_entropy over (N, C, T) against fixed next tokens
 *   time transformer SECONDS    TransformerEncoder of 4 TransformerEncoderLayer(256, 4, 1024, dropout 0.1),
 *                               batch_first, input (16, 128, 256) from N(0, 1), loss: the output's mean square
 * </pre>
 */
public final class SeqBench {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final int VOCAB = 64;

    static final String LSTM_LM = """
            {"name": "lstm_lm", "seed": 0, "model": {"type": "Module", "class_name": "LSTMLM",
             "modules": [{"name": "embed", "type": "Embedding", "num_embeddings": 64, "embedding_dim": 256},
                         {"name": "rnn", "type": "LSTM", "input_size": 256, "hidden_size": 256, "num_layers": 2, "batch_first": true},
                         {"name": "head", "type": "Linear", "in_features": 256, "out_features": 64}],
             "graph": [{"name": "idx", "op": "placeholder"},
                       {"name": "embed", "op": "call_module", "target": "embed", "args": [{"node": "idx"}]},
                       {"name": "rnn", "op": "call_module", "target": "rnn", "args": [{"node": "embed"}]},
                       {"name": "out", "op": "call_function", "target": "operator.getitem", "args": [{"node": "rnn"}, 0]},
                       {"name": "head", "op": "call_module", "target": "head", "args": [{"node": "out"}]},
                       {"name": "logits", "op": "call_method", "target": "permute", "args": [{"node": "head"}, 0, 2, 1]},
                       {"name": "output", "op": "output", "args": [{"node": "logits"}]}]}}""";

    static final String TRANSFORMER = """
            {"name": "transformer", "seed": 0, "model": {"type": "TransformerEncoder",
             "encoder_layer": {"type": "TransformerEncoderLayer", "d_model": 256, "nhead": 4, "dim_feedforward": 1024,
                               "dropout": 0.1, "batch_first": true},
             "num_layers": 4}}""";

    private SeqBench() {
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        if (!args[0].equals("time")) throw new IllegalArgumentException("time MODEL SECONDS, not " + args[0]);
        System.out.println(time(args[1], Double.parseDouble(args[2])));
    }

    static Module build(String create) throws Exception {
        var node = JSON.readTree(create);
        Module net = ModuleFactory.build(SpecParser.parse(node, 64), new Generator(node.path("seed").asLong(0))).root();
        net.train(true);
        return net;
    }

    /** Token ids of batch 32 × 65 from a fixed generator: the first 64 are the input, the last 64 the targets. */
    static Tensor[] tokens(int batch, int steps) {
        Random random = new Random(7);
        long[] x = new long[batch * steps];
        long[] y = new long[batch * steps];
        for (int n = 0; n < batch; n++) {
            long[] row = new long[steps + 1];
            for (int t = 0; t <= steps; t++) row[t] = random.nextInt(VOCAB);
            for (int t = 0; t < steps; t++) {
                x[n * steps + t] = row[t];
                y[n * steps + t] = row[t + 1];
            }
        }
        return new Tensor[] {Tensor.ofLongs(x, batch, steps), Tensor.ofLongs(y, batch, steps)};
    }

    private static String time(String model, double seconds) throws Exception {
        Runnable forward;
        Runnable forwardBackward;
        String shape;
        switch (model) {
            case "lstm_lm" -> {
                Module net = build(LSTM_LM);
                Tensor[] xy = tokens(32, 64);
                forward = () -> net.forward(xy[0]);
                forwardBackward = () -> Losses.crossEntropy(net.forward(xy[0]), xy[1]).backward();
                shape = "32x64";
            }
            case "transformer" -> {
                Module net = build(TRANSFORMER);
                Tensor x = CnnBench.input(16, 128, 16);   // 16 × 128 × 256 values from N(0, 1)
                Tensor src = io.paramlab.tensor.ShapeOps.reshape(x, 16, 128, 256);
                Tensor zero = Tensor.zeros(16, 128, 256);
                forward = () -> forwardOnce(net, src);
                forwardBackward = () -> Losses.mse(forwardOnce(net, src), zero).backward();
                shape = "16x128";
            }
            default -> throw new IllegalArgumentException("lstm_lm | transformer, not " + model);
        }
        double[] fwd = CnnBench.perCallMs(() -> {
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                forward.run();
            }
        }, seconds);
        double[] fb = CnnBench.perCallMs(forwardBackward, seconds);
        String t = System.getenv("OPENBLAS_NUM_THREADS");
        return String.format("{\"side\": \"paramlab\", \"model\": \"%s\", \"shape\": \"%s\", \"threads\": \"%s\", "
                        + "\"forward_ms\": %.3f, \"forward_median_ms\": %.3f, \"forward_backward_ms\": %.3f, "
                        + "\"forward_backward_median_ms\": %.3f, \"forward_cpu_ms\": %.3f, \"forward_backward_cpu_ms\": %.3f, "
                        + "\"blas\": \"%s\"}",
                model, shape, t == null ? "default" : t, fwd[0], fwd[1], fb[0], fb[1], fwd[3], fb[3], Blas.implementation());
    }

    private static Tensor forwardOnce(Module net, Tensor src) {
        return (Tensor) net.forward(List.of(src), Map.of());
    }
}
