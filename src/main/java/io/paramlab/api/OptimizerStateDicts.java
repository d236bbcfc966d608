package io.paramlab.api;

import io.paramlab.formats.FormatException;
import io.paramlab.formats.PickleLimits;
import io.paramlab.formats.PyTuple;
import io.paramlab.formats.TorchSave;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's state dict between its plain values ({@code optim}'s maps) and the two ways it
 * travels: JSON (tensors in the one tensor format, wherever {@code state.<index>.<key>} holds
 * one) and torch.save ({@code betas} a tuple, as PyTorch pickles it).
 */
final class OptimizerStateDicts {
    private OptimizerStateDicts() {
    }

    /** {@code torch.save(optimizer.state_dict(), f)}. */
    static byte[] toTorchSave(Map<String, Object> stateDict) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>(stateDict);
        List<Object> groups = new ArrayList<>();
        for (Object g : (List<?>) stateDict.get("param_groups")) {
            LinkedHashMap<Object, Object> group = new LinkedHashMap<>((Map<?, ?>) g);
            if (group.get("betas") instanceof List<?> betas) {
                group.put("betas", new PyTuple(betas));
            }
            groups.add(group);
        }
        out.put("param_groups", groups);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            TorchSave.writeObject(bytes, out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** A torch.save body: the whole object, or its entry {@code key} (the general checkpoint's {@code optimizer_state_dict}). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> fromTorchSave(byte[] body, String key, long maxBytes) {
        Object root;
        try {
            root = TorchSave.load(new ByteArrayInputStream(body), PickleLimits.of(maxBytes));
        } catch (FormatException e) {
            throw new InvalidInputException("body", e.getMessage());
        } catch (IOException e) {
            throw new InvalidInputException("body", "the request body could not be read (" + e.getMessage() + ")");
        }
        Object selected = root;
        if (key != null) {
            if (!(root instanceof Map<?, ?> map) || !map.containsKey(key)) {
                throw new InvalidInputException("key", "the file holds no dict entry '" + key + "'"
                        + (root instanceof Map<?, ?> m ? "; its keys are " + m.keySet() : ""));
            }
            selected = map.get(key);
        }
        if (!(selected instanceof Map<?, ?> map) || !map.keySet().stream().allMatch(k -> k instanceof String)) {
            throw new InvalidInputException(key == null ? "body" : "key", (key == null ? "the file" : "entry '" + key + "'")
                    + " holds no optimizer state dict (a dict with 'state' and 'param_groups')");
        }
        return (Map<String, Object>) map;
    }

    /** A JSON body: plain values, and a tensor for each object or array under {@code state.<index>}. */
    static Map<String, Object> fromJson(JsonNode body, JsonMapper mapper) {
        if (body == null || !body.isObject()) {
            throw new InvalidInputException("", "an optimizer state dict is a JSON object with 'state' and 'param_groups'");
        }
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        body.properties().forEach(e -> out.put(e.getKey(), e.getKey().equals("state") && e.getValue().isObject()
                ? state(e.getValue(), mapper) : plain(e.getValue(), mapper, e.getKey())));
        return out;
    }

    private static Map<String, Object> state(JsonNode state, JsonMapper mapper) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        state.properties().forEach(entry -> {
            String field = "state." + entry.getKey();
            if (!entry.getValue().isObject()) {
                out.put(entry.getKey(), plain(entry.getValue(), mapper, field));   // the loader names what is wrong
                return;
            }
            LinkedHashMap<String, Object> values = new LinkedHashMap<>();
            entry.getValue().properties().forEach(v -> values.put(v.getKey(), v.getValue().isContainer()
                    ? tensor(v.getValue(), mapper, field + "." + v.getKey()) : plain(v.getValue(), mapper, field + "." + v.getKey())));
            out.put(entry.getKey(), values);
        });
        return out;
    }

    private static TensorData tensor(JsonNode node, JsonMapper mapper, String field) {
        try {
            return mapper.treeToValue(node, TensorData.class);
        } catch (JacksonException e) {
            throw new InvalidInputException(field, e.getOriginalMessage());
        }
    }

    private static Object plain(JsonNode node, JsonMapper mapper, String field) {
        try {
            return mapper.treeToValue(node, Object.class);
        } catch (JacksonException e) {
            throw new InvalidInputException(field, e.getOriginalMessage());
        }
    }
}
