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
 * The store's record of the optimizer: the spec and step count as JSON, the state dicts' torch.save file as
 * bytes beside it; it reads back to an optimizer that steps on exactly as the original, and so does a record
 * stored before the bytes had a column of their own (the whole record in the text, the file as base64).
 */
class OptimizerRecordTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] SPECS = {
            "{\"type\": \"Adam\", \"lr\": 0.01, \"amsgrad\": true, \"scheduler\": {\"type\": \"StepLR\", \"step_size\": 2}}",
            "{\"type\": \"SGD\", \"lr\": 0.1, \"momentum\": 0.9, \"param_groups\": [{\"module\": \"0\", \"lr\": 0.05}]}",
            "{\"type\": \"AdamW\", \"lr\": 0.003, \"betas\": [0.8, 0.99]}"};

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

    /** The record as it was stored before the state had a column of its own: the JSON writer over the three members. */
    private static String storedBefore(OptimizerSetup setup) throws Exception {
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

    private static OptimizerSetup setup(String spec, Module model) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = JSON.readValue(spec, Map.class);
        return OptimizerSetup.fromSpec(parsed, model);
    }

    /** A copy of {@code model}'s values in a new module. */
    private static Module copyOf(Module model) {
        Module copy = model();
        model.stateDict().forEach((key, value) -> copy.stateDict().get(key).copyFrom(value));
        return copy;
    }

    /** {@code back} (on {@code copy}) steps on as {@code setup} (on {@code model}) does, bit for bit, and writes the same record. */
    private static void stepsOnAlike(Module model, OptimizerSetup setup, Module copy, OptimizerSetup back) {
        assertThat(back.optimizer().stepCount()).isEqualTo(setup.optimizer().stepCount());
        step(model, setup, 7);
        step(copy, back, 7);
        model.stateDict().forEach((key, value) -> assertThat(copy.stateDict().get(key).floats()).isEqualTo(value.floats()));
        assertThat(OptimizerRecord.write(back).json()).isEqualTo(OptimizerRecord.write(setup).json());
        assertThat(OptimizerRecord.write(back).state()).isEqualTo(OptimizerRecord.write(setup).state());
    }

    @Test
    void theRecordReadsBackToTheSameSteps() throws Exception {
        for (String spec : SPECS) {
            Module model = model();
            OptimizerSetup setup = setup(spec, model);
            for (int i = 0; i < 3; i++) step(model, setup, i);
            OptimizerRecord.Stored stored = OptimizerRecord.write(setup);
            Map<String, Object> text = new LinkedHashMap<>();
            text.put("spec", setup.spec());
            text.put("step_count", 3L);
            assertThat(stored.json()).isEqualTo(JSON.writeValueAsString(text));

            Module copy = copyOf(model);
            stepsOnAlike(model, setup, copy, OptimizerRecord.read(stored.json(), stored.state(), copy));
        }
    }

    @Test
    void aRecordStoredBeforeTheStateHadItsColumnReadsBackToTheSameSteps() throws Exception {
        for (String spec : SPECS) {
            Module model = model();
            OptimizerSetup setup = setup(spec, model);
            for (int i = 0; i < 3; i++) step(model, setup, i);
            String before = storedBefore(setup);

            Module copy = copyOf(model);
            OptimizerSetup back = OptimizerRecord.read(before, null, copy);
            assertThat(OptimizerRecord.write(back).state()).isEqualTo(OptimizerRecord.write(setup).state());
            stepsOnAlike(model, setup, copy, back);
        }
    }

    @Test
    void noOptimizerIsNoRecord() {
        assertThat(OptimizerRecord.write(null)).isNull();
        assertThat(OptimizerRecord.read(null, null, model())).isNull();
    }
}
