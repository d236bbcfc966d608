package io.paramlab.api;

import io.paramlab.formats.ArrayBudget;
import io.paramlab.formats.FormatException;
import io.paramlab.formats.SafeTensors;
import io.paramlab.formats.StateDictFormat;
import io.paramlab.formats.TorchSave;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.spec.LimitExceededException;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decodes a state-dict body, in any format, into new arrays and nothing else: the model is
 * touched only afterwards, by one load, so a bad byte anywhere in the body changes nothing.
 */
final class StateDictImport {
    private static final TypeReference<LinkedHashMap<String, TensorData>> JSON_STATE = new TypeReference<>() {
    };

    /**
     * The tensors to load and the dict's {@code _metadata} versions by module path (null when it
     * has none: JSON, safetensors, a plain dict in a .pt).
     */
    record Decoded(Map<String, TensorData> state, Map<String, Integer> versions) {
    }

    private StateDictImport() {
    }

    /**
     * {@code modelKeys} (read lazily, only for safetensors) resolves keys a tied file wrote once. A file's
     * arrays are reserved from {@code budget} before they are allocated ({@link #budget}); a JSON body's are charged as it is parsed.
     */
    static Decoded decode(StateDictFormat format, InputStream body, HttpInputMessage message, String key, long maxBytes,
                          JsonMapper json, Supplier<List<String>> modelKeys, ArrayBudget budget) throws IOException {
        if (key != null && format != StateDictFormat.PT) {
            throw new InvalidInputException("key", "chooses an entry of a torch.save checkpoint; this body is " + format.name().toLowerCase(java.util.Locale.ROOT));
        }
        try {
            switch (format) {
                case JSON:
                    return new Decoded(json(body, message, json), null);
                case SAFETENSORS:
                    return new Decoded(SafeTensors.read(body, maxBytes, budget).resolveTied(modelKeys.get()), null);
                default:
                    TorchSave.Loaded loaded = TorchSave.read(body, key, maxBytes, budget);
                    return new Decoded(loaded.stateDict(), loaded.hasMetadata() ? versions(loaded.metadata()) : null);
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The budget of an import's arrays, asked before they are allocated: at most {@code maxElements} values in all
     * (the limit {@code limit}: max-parameters-per-model for a load, as no model takes more), else 413 naming it; and
     * their bytes charged to the request's
     * share of max-inflight-body-size (one import alone may use it whole; beside others, 413 worth a retry).
     * Its refusals come out of the readers as an {@link java.io.UncheckedIOException} around a {@link BodyTooLargeException}.
     */
    static ArrayBudget budget(long maxElements, String limit) {
        long[] elements = {0};
        return (more, bytes) -> {
            elements[0] += more;
            if (elements[0] > maxElements) {
                throw new LimitExceededException("", limit, elements[0], maxElements, "the file's tensors hold "
                        + elements[0] + "+ elements, over the limit of " + maxElements + " (paramlab.limits." + limit
                        + "); nothing was read into memory or changed");
            }
            try {
                BodyBudget.charge(bytes);
            } catch (BodyTooLargeException.InFlight e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    /** Read as Spring MVC reads a JSON body, with the same problems for the same faults. */
    private static Map<String, TensorData> json(InputStream body, HttpInputMessage message, JsonMapper json) {
        LinkedHashMap<String, TensorData> state;
        try {
            state = json.readValue(body, JSON_STATE);
        } catch (JacksonException e) {
            throw new HttpMessageNotReadableException("JSON parse error: " + e.getOriginalMessage(), e, message);
        }
        if (state == null) {
            throw new InvalidInputException("", "the state dict must be a JSON object of tensors, got null");
        }
        state.forEach((k, value) -> {
            if (value == null) {
                throw new InvalidInputException(k, "must be a tensor, got null");
            }
        });
        return state;
    }

    /** {@code local_metadata.get("version", None)} for each module prefix. */
    private static Map<String, Integer> versions(Map<String, Map<String, Object>> metadata) {
        Map<String, Integer> versions = new LinkedHashMap<>();
        metadata.forEach((prefix, entry) -> versions.put(prefix,
                entry.get("version") instanceof Number n ? Integer.valueOf(n.intValue()) : null));
        return versions;
    }

    /** A body the client stopped sending: a file cut short, said as the codecs say it. */
    static FormatException unreadable(IOException e) {
        return new FormatException("incomplete-body", "the request body could not be read to its end (" + e.getMessage() + ")");
    }
}
