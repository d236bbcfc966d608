package io.paramlab.optim;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
import tools.jackson.databind.JsonNode;

import java.util.Map;

/**
 * Everything these tests need from the model side, in one place so the spec/model refactoring
 * has one class to adapt: build a module from a case's {@code create}, load a state dict, make
 * tensors, and compute a loss by its API name.
 */
final class CaseModels {
    private CaseModels() {
    }

    static Module build(JsonNode create) {
        return ModuleFactory.build(SpecParser.parse(create, 32), new Generator(0)).root();
    }

    /** {@code load_state_dict(sd)}: every key of the module's state dict, values copied into the live tensors. */
    static void load(Module module, JsonNode stateDict) {
        for (Map.Entry<String, TensorData> e : module.stateDict().entrySet()) {
            JsonNode t = stateDict.get(e.getKey());
            if (t == null) {
                throw new AssertionError("the case's state_dict has no " + e.getKey());
            }
            double[] values = OptimCases.flatten(t.get("data"));
            TensorData target = e.getValue();
            for (int i = 0; i < values.length; i++) {
                if (target.isFloat()) target.floats()[i] = (float) values[i];
                else target.longs()[i] = (long) values[i];
            }
        }
    }

    static Tensor tensor(JsonNode t) {
        double[] values = OptimCases.flatten(t.get("data"));
        float[] data = new float[values.length];
        for (int i = 0; i < data.length; i++) data[i] = (float) values[i];
        return Tensor.of(data, OptimCases.shape(t));
    }

    /** Rows {@code rows} of a tensor (a batch of a TensorDataset). */
    static Tensor rows(Tensor t, int[] rows) {
        int[] shape = t.shape();
        int width = t.numel() / shape[0];
        float[] out = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(t.data(), rows[i] * width, out, i * width, width);
        }
        shape[0] = rows.length;
        return Tensor.of(out, shape);
    }

    static Tensor loss(String name, Tensor output, Tensor target) {
        switch (name) {
            case "mse":
                return Losses.mse(output, target);
            case "l1":
                return Losses.l1(output, target);
            case "bce_with_logits":
                return Losses.bceWithLogits(output, target);
            case "cross_entropy": {
                long[] classes = new long[target.numel()];
                for (int i = 0; i < classes.length; i++) classes[i] = (long) target.data()[i];
                return Losses.crossEntropy(output, Tensor.ofLongs(classes, target.shape()));
            }
            case "sum":
                return Losses.sum(output);
            case "mean":
                return Losses.mean(output);
            default:
                throw new IllegalArgumentException("unknown loss " + name);
        }
    }
}
