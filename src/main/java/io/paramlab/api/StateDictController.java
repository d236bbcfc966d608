package io.paramlab.api;

import io.paramlab.model.ModelRegistry;
import io.paramlab.model.Views.LoadResult;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code state_dict()} of any module, and {@code load_state_dict(state, strict)}. */
@RestController
@RequestMapping("/api/v1/models/{id}/state-dict")
class StateDictController {
    private final ModelRegistry registry;

    StateDictController(ModelRegistry registry) {
        this.registry = registry;
    }

    @GetMapping
    Map<String, TensorData> get(@PathVariable String id, @RequestParam(defaultValue = "") String module) {
        return registry.get(id).stateDict(module);
    }

    @PutMapping
    LoadResult put(@PathVariable String id, @RequestParam(defaultValue = "") String module,
                   @RequestParam(defaultValue = "true") boolean strict, @RequestBody LinkedHashMap<String, TensorData> state) {
        state.forEach((key, value) -> {
            if (value == null) {
                throw new InvalidInputException(key, "must be a tensor, got null");
            }
        });
        return registry.get(id).loadStateDict(module, state, strict);
    }
}
