package io.paramlab.api;

import io.paramlab.model.Loss;
import io.paramlab.model.ModelRegistry;
import io.paramlab.model.Views.BackwardResult;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Forward passes, backward passes that accumulate gradients, and zero_grad. */
@RestController
@RequestMapping("/api/v1/models/{id}")
class ComputeController {
    private final ModelRegistry registry;

    ComputeController(ModelRegistry registry) {
        this.registry = registry;
    }

    record ForwardRequest(@NotNull TensorData input, String module) {
    }

    record ForwardResponse(TensorData output) {
    }

    record BackwardRequest(@NotNull TensorData input, TensorData target, @NotNull String loss) {
    }

    record BackwardResponse(float loss, TensorData output) {
    }

    @PostMapping("/forward")
    ForwardResponse forward(@PathVariable String id, @Valid @RequestBody ForwardRequest request) {
        return new ForwardResponse(registry.get(id).forward(request.module() == null ? "" : request.module(), request.input()));
    }

    @PostMapping("/backward")
    BackwardResponse backward(@PathVariable String id, @Valid @RequestBody BackwardRequest request) {
        Loss loss = Loss.byName(request.loss()).orElseThrow(() -> new InvalidInputException("loss",
                "unknown loss \"" + request.loss() + "\"; known: " + Loss.names()));
        if (loss.needsTarget() && request.target() == null) {
            throw new InvalidInputException("target", "loss \"" + loss.apiName() + "\" needs a target");
        }
        if (!loss.needsTarget() && request.target() != null) {
            throw new InvalidInputException("target", "loss \"" + loss.apiName() + "\" takes no target");
        }
        BackwardResult result = registry.get(id).backward(request.input(), request.target(), loss);
        return new BackwardResponse(result.loss(), result.output());
    }

    @PostMapping("/zero-grad")
    ResponseEntity<Void> zeroGrad(@PathVariable String id) {
        registry.get(id).zeroGrad();
        return ResponseEntity.noContent().build();
    }
}
