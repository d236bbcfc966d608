package io.paramlab.api;

import io.paramlab.model.ModelRegistry;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.store.HistoryEntry;
import io.paramlab.store.ModelStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** The committed changes of a model, newest first. */
@Tag(name = "history")
@RestController
class HistoryController {
    private final ModelRegistry registry;
    private final ModelStore store;

    HistoryController(ModelRegistry registry, ModelStore store) {
        this.registry = registry;
        this.store = store;
    }

    @Operation(summary = "A model's history", operationId = "getHistory", description = "Committed changes, newest first: "
            + "version, at, actor (the caller's token name, or anonymous), operation (create, patch, parameter.patch, "
            + "state_dict.load, init, forward, ...) and a short summary.")
    @ApiResponse(responseCode = "200", description = "The history, newest first")
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/api/v1/models/{id}/history")
    List<HistoryEntry> history(@PathVariable String id,
                               @Parameter(description = "entries, 1 to 1000") @RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidInputException("limit", "must be from 1 to 1000, got " + limit);
        }
        registry.get(id);   // 404 for an unknown model
        return store.history(id, limit);
    }
}
