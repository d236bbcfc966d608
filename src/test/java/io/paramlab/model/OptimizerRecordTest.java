package io.paramlab.model;

import io.paramlab.formats.TorchSave;
import io.paramlab.nn.Module;
import io.paramlab.optim.OptimizerSetup;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's record of the optimizer: the text {@link OptimizerRecord#write} builds around the state's
 * base64 is the text the JSON writer gives for the same three members (records written before and
 * after read alike), and it reads back to an optimizer that steps on exactly as the original.
 */
class OptimizerRecordTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Module model() {
        return ModuleFactory.build(SpecParser.parse(JSON.readTree("{\"model\": {\"type\": \"Sequential\", \"layers\": ["
                + "{\"type\": \"Linear\", \"in_features\": 3, \"out_features\": 4}, {\"type\": \"Tanh\"},"
                + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 2}]}}"), 32), new Generator(5)).root();
    }

    private static void step(Module model, OptimizerSetup setup, int salt) {
        setup.optimizer().zeroGrad();
        float[] x = new float[6];
        float[] y = new float[4];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(salt + i);
        for (int i = 0; i < y.length; i++) y[i] = (float) Math.cos(3 * salt + i);
        Losses.mse(model.forward(Tensor.of(x, 2, 3)), Tensor.of(y, 2, 2)).backward();
        setup.optimizer().step();
        if (setup.hasScheduler()) {
            setup.scheduler().step();
        }
    }

    /** What write gave before it put the base64 in by hand: the JSON writer over the three members. */
    private static String throughTheJsonWriter(OptimizerSetup setup) throws Exception {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("optimizer", setup.optimizer().stateDict());
        state.put("scheduler", setup.hasScheduler() ? setup.scheduler().stateDict() : null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TorchSave.writeObject(bytes, state);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("spec", setup.spec());
        record.put("state", Base64.getEncoder().encodeToString(bytes.toByteArray()));
        record.put("step_count", setup.optimizer().stepCount());
        return JSON.writeValueAsString(record);
    }

    @Test
    void theTextIsTheJsonWritersAndReadsBackToTheSameSteps() throws Exception {
        for (String spec : new String[] {
                "{\"type\": \"Adam\", \"lr\": 0.01, \"amsgrad\": true, \"scheduler\": {\"type\": \"StepLR\", \"step_size\": 2}}",
                "{\"type\": \"SGD\", \"lr\": 0.1, \"momentum\": 0.9, \"param_groups\": [{\"module\": \"0\", \"lr\": 0.05}]}",
                "{\"type\": \"AdamW\", \"lr\": 0.003, \"betas\": [0.8, 0.99]}"}) {
            Module model = model();
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = JSON.readValue(spec, Map.class);
            OptimizerSetup setup = OptimizerSetup.fromSpec(parsed, model);
            assertThat(OptimizerRecord.write(setup)).isEqualTo(throughTheJsonWriter(setup));   // no state yet
            for (int i = 0; i < 3; i++) step(model, setup, i);
            String text = OptimizerRecord.write(setup);
            assertThat(text).isEqualTo(throughTheJsonWriter(setup));

            Module copy = model();
            model.stateDict().forEach((key, value) -> copy.stateDict().get(key).copyFrom(value));
            OptimizerSetup back = OptimizerRecord.read(text, copy);
            assertThat(back.optimizer().stepCount()).isEqualTo(3);
            step(model, setup, 7);
            step(copy, back, 7);
            model.stateDict().forEach((key, value) -> assertThat(copy.stateDict().get(key).floats()).isEqualTo(value.floats()));
            assertThat(OptimizerRecord.write(back)).isEqualTo(OptimizerRecord.write(setup));
        }
    }

    @Test
    void noOptimizerIsNoRecord() {
        assertThat(OptimizerRecord.write(null)).isNull();
        assertThat(OptimizerRecord.read(null, model())).isNull();
    }
}
