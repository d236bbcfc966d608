package io.paramlab.optim;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;

/** A small Linear-ReLU-Linear model (seeded) and a backward on it, for the unit tests. */
final class TwoLayers {
    private TwoLayers() {
    }

    static Module model() {
        return CaseModels.build(OptimCases.JSON.readTree("{\"model\": {\"type\": \"Sequential\", \"layers\": ["
                + "{\"type\": \"Linear\", \"in_features\": 3, \"out_features\": 4}, {\"type\": \"ReLU\"},"
                + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 2}]}}"));
    }

    static void backward(Module model, int salt) {
        float[] x = new float[6];
        float[] y = new float[4];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(salt + i);
        for (int i = 0; i < y.length; i++) y[i] = (float) Math.cos(salt * 3 + i);
        Losses.mse(model.forward(Tensor.of(x, 2, 3)), Tensor.of(y, 2, 2)).backward();
    }
}
