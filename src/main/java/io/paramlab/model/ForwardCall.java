package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of a forward as a request gives them: {@code input}, or {@code inputs} (the root
 * forward's positional arguments, null entries for None), and {@code kwargs}.
 */
public record ForwardCall(List<TensorData> inputs, Map<String, TensorData> kwargs) {

    public ForwardCall {
        inputs = Collections.unmodifiableList(new ArrayList<>(inputs));
        kwargs = Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
    }

    public static ForwardCall of(TensorData input) {
        return new ForwardCall(Collections.singletonList(input), Map.of());
    }

    /** Exactly one of {@code input} and {@code inputs}; {@code kwargs} optional. */
    public static ForwardCall of(TensorData input, List<TensorData> inputs, Map<String, TensorData> kwargs) {
        if (input != null && inputs != null) {
            throw new InvalidInputException("inputs", "give either \"input\" or \"inputs\", not both");
        }
        if (input == null && inputs == null) {
            throw new InvalidInputException("input", "is required (or \"inputs\": a list of the forward's positional arguments)");
        }
        if (kwargs != null) {
            kwargs.forEach((k, v) -> {
                if (v == null) {
                    throw new InvalidInputException("kwargs." + k, "must be a tensor; leave the argument out for its default");
                }
            });
        }
        return new ForwardCall(input != null ? Collections.singletonList(input) : inputs, kwargs == null ? Map.of() : kwargs);
    }

    /** A single positional tensor and no keywords: the one-tensor forward of every layer. */
    boolean isSingleTensor() {
        return inputs.size() == 1 && inputs.get(0) != null && kwargs.isEmpty();
    }

    /** {@code module(*inputs, **kwargs)}: a tensor, a list for a tuple, or null. */
    Object run(Module module) {
        List<Object> args = new ArrayList<>();
        inputs.forEach(t -> args.add(t == null ? null : ModelOperations.asTensor(t)));
        Map<String, Object> keywords = new LinkedHashMap<>();
        kwargs.forEach((k, t) -> keywords.put(k, ModelOperations.asTensor(t)));
        return module.forward(args, keywords);
    }

    /** The output as the API answers it: a tensor's values, a list for a tuple (nested as it nests), null for None. */
    static Object answer(Object output) {
        if (output instanceof Tensor t) {
            return TensorData.of(t);
        }
        if (output instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(answer(item)));
            return out;
        }
        return output;   // null, or an int or float a graph returned
    }

    /** The tensor a loss applies to: the output, or the first tensor of a tuple, depth first. */
    static Tensor lossInput(Object output) {
        Tensor found = firstTensor(output);
        if (found == null) {
            throw new UnprocessableException("output", "the forward returned " + Module.describe(output) + " with no tensor to take a loss of");
        }
        return found;
    }

    private static Tensor firstTensor(Object value) {
        if (value instanceof Tensor t) {
            return t;
        }
        if (value instanceof List<?> list) {
            for (Object item : list) {
                Tensor t = firstTensor(item);
                if (t != null) return t;
            }
        }
        return null;
    }
}
