package io.paramlab.api;

import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelRegistry;
import io.paramlab.model.Views.ModelInfo;
import io.paramlab.model.Views.ModuleInfo;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/** Models: create from a spec, list, read, switch train/eval, rename, delete; and their modules. */
@RestController
@RequestMapping("/api/v1/models")
class ModelController {
    private final ModelRegistry registry;

    ModelController(ModelRegistry registry) {
        this.registry = registry;
    }

    record ModelSummary(String id, String name, long parameterCount, Instant createdAt) {
    }

    record ModelPatch(Boolean training, @Size(min = 1, max = 200) String name) {
    }

    @PostMapping
    ResponseEntity<ModelInfo> create(@RequestBody JsonNode spec) {
        LiveModel model = registry.create(spec);
        return ResponseEntity.created(URI.create("/api/v1/models/" + model.id())).body(model.info());
    }

    @GetMapping
    List<ModelSummary> list() {
        return registry.list().stream()
                .map(m -> new ModelSummary(m.id(), m.name(), m.parameterCount(), m.createdAt())).toList();
    }

    @GetMapping("/{id}")
    ModelInfo get(@PathVariable String id) {
        return registry.get(id).info();
    }

    @PatchMapping("/{id}")
    ModelInfo patch(@PathVariable String id, @Valid @RequestBody ModelPatch patch) {
        return registry.get(id).patch(patch.training(), patch.name());
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        registry.delete(id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{id}/modules")
    List<ModuleInfo> modules(@PathVariable String id) {
        return registry.get(id).modules();
    }
}
