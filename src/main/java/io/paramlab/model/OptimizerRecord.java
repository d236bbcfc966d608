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
 * The optimizer as the store keeps it: its spec and its step count (which no state dict holds) as JSON
 * text, and its and its scheduler's state dicts as one torch.save file (exact floats, tensors included)
 * in bytes beside it, so a model that comes back from the store steps on exactly as before and counts on
 * from where it was. Records stored before the bytes had a column of their own hold the file in the text,
 * as base64 ({@code "state"}); they read as before.
 */
final class OptimizerRecord {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OptimizerRecord() {
    }

    /** {@code json}: {@code {"spec": ..., "step_count": n}}; {@code state}: the torch.save file of the state dicts. */
    record Stored(String json, byte[] state) {
    }

    /** The record of {@code setup}, or null without an optimizer. */
    static Stored write(OptimizerSetup setup) {
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
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("spec", setup.spec());
        record.put("step_count", setup.optimizer().stepCount());
        return new Stored(JSON.writeValueAsString(record), bytes.toByteArray());
    }

    /**
     * The optimizer of {@code root} from its record: the state dicts from {@code state}, or, when that is null
     * (a record stored before), from the text's base64 {@code "state"}; null for no record.
     */
    @SuppressWarnings("unchecked")
    static OptimizerSetup read(String text, byte[] state, Module root) {
        if (text == null) {
            return null;
        }
        JsonNode record = JSON.readTree(text);
        Map<String, Object> spec = JSON.convertValue(record.get("spec"), Map.class);
        OptimizerSetup setup = OptimizerSetup.fromSpec(spec, root);
        byte[] bytes = state != null ? state : Base64.getDecoder().decode(record.get("state").stringValue());
        try {
            Map<Object, Object> dicts = (Map<Object, Object>) TorchSave.load(new ByteArrayInputStream(bytes), PickleLimits.of(bytes.length));
            setup.optimizer().loadStateDict((Map<String, ?>) (Map<?, ?>) dicts.get("optimizer"));
            if (setup.hasScheduler()) {
                setup.scheduler().loadStateDict((Map<String, ?>) (Map<?, ?>) dicts.get("scheduler"));
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
