package io.paramlab.model;

import io.paramlab.formats.PickleLimits;
import io.paramlab.formats.TorchSave;
import io.paramlab.nn.Module;
import io.paramlab.optim.OptimizerSetup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimizer as the store keeps it: its spec, its and its scheduler's state dicts as one
 * torch.save file (exact floats, tensors included), and its step count (which no state dict holds),
 * so a model that comes back from the store steps on exactly as before and counts on from where it was.
 */
final class OptimizerRecord {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OptimizerRecord() {
    }

    /**
     * {@code {"spec": ..., "state": base64 of the torch.save file, "step_count": n}} as compact JSON. The
     * state's base64 (megabytes for Adam's moments) is put between the other members as it is, not run
     * through the JSON writer's escaping: its alphabet needs none, so the text is what
     * {@code JSON.writeValueAsString} of the three members gives, at a fraction of the cost.
     */
    static String write(OptimizerSetup setup) {
        if (setup == null) {
            return null;
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("optimizer", setup.optimizer().stateDict());
        state.put("scheduler", setup.hasScheduler() ? setup.scheduler().stateDict() : null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                4 * setup.optimizer().stateElements() + 65536));
        try {
            TorchSave.writeObject(bytes, state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "{\"spec\":" + JSON.writeValueAsString(setup.spec()) + ",\"state\":\"" + Base64.getEncoder().encodeToString(bytes.toByteArray())
                + "\",\"step_count\":" + setup.optimizer().stepCount() + "}";
    }

    @SuppressWarnings("unchecked")
    static OptimizerSetup read(String text, Module root) {
        if (text == null) {
            return null;
        }
        JsonNode record = JSON.readTree(text);
        Map<String, Object> spec = JSON.convertValue(record.get("spec"), Map.class);
        OptimizerSetup setup = OptimizerSetup.fromSpec(spec, root);
        byte[] bytes = Base64.getDecoder().decode(record.get("state").stringValue());
        try {
            Map<Object, Object> state = (Map<Object, Object>) TorchSave.load(new ByteArrayInputStream(bytes), PickleLimits.of(bytes.length));
            setup.optimizer().loadStateDict((Map<String, ?>) (Map<?, ?>) state.get("optimizer"));
            if (setup.hasScheduler()) {
                setup.scheduler().loadStateDict((Map<String, ?>) (Map<?, ?>) state.get("scheduler"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (record.has("step_count")) {   // a record written before the count was kept starts from 0
            setup.optimizer().restoreStepCount(record.get("step_count").longValue());
        }
        return setup;
    }
}
