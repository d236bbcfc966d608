package io.paramlab.api;

import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelOperations;
import io.paramlab.model.ModelRegistry;
import io.paramlab.model.UnprocessableException;
import io.paramlab.nn.Module;
import io.paramlab.nn.ModelStats;
import io.paramlab.nn.TensorStats;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.tensor.Tensor;
import io.paramlab.tensor.UninitializedParameterException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Statistics of parameters, gradients and buffers for diagnosis: NaN/Inf counts, moments, norms, histograms. */
@Tag(name = "statistics")
@RestController
@RequestMapping("/api/v1/models/{id}")
class StatsController {
    private final ModelRegistry registry;

    StatsController(ModelRegistry registry) {
        this.registry = registry;
    }

    @Operation(summary = "Statistics of a module", operationId = "getModelStats",
            description = "For every parameter of net[module] (named_parameters order, tied once) its data and grad, and for "
                    + "every buffer its data: nan_count, inf_count, zero_fraction, and over the finite elements mean, std "
                    + "(unbiased), min, max, l2_norm and a histogram of `bins` equal widths over [min, max] that counts every "
                    + "finite element once; update_ratio after an optimizer step.")
    @ApiResponse(responseCode = "200", description = "The statistics", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.MODEL_STATS)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @GetMapping("/stats")
    org.springframework.http.ResponseEntity<ModelStats> stats(jakarta.servlet.http.HttpServletRequest request, @PathVariable String id,
                     @Parameter(description = "module path, \"\" for the root") @RequestParam(defaultValue = "") String module,
                     @Parameter(description = "histogram bins, 1 to 1000") @RequestParam(defaultValue = "30") int bins) {
        checkBins(bins);
        LiveModel model = registry.get(id);
        return Versions.versioned(model, request, () -> {
            Module m = ModelOperations.module(model, module);
            m.namedParameters().forEach((name, p) -> requireInitialized(name, p));
            return ModelStats.of(m, bins, model::updateRatio);
        });
    }

    @Operation(summary = "Statistics of one parameter", operationId = "getParameterStats",
            description = "One entry of the module statistics, for a parameter named by any of its names.")
    @ApiResponse(responseCode = "200", description = "The parameter's statistics", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.PARAMETER_STATS)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @GetMapping("/parameters/{name}/stats")
    org.springframework.http.ResponseEntity<ModelStats.ParameterStats> parameterStats(jakarta.servlet.http.HttpServletRequest request,
                                                                                      @PathVariable String id, @PathVariable String name,
                                             @Parameter(description = "histogram bins, 1 to 1000") @RequestParam(defaultValue = "30") int bins) {
        checkBins(bins);
        LiveModel model = registry.get(id);
        return Versions.versioned(model, request, () -> {
            Tensor p = ModelOperations.parameter(model, name);
            requireInitialized(name, p);
            return ModelStats.ParameterStats.of(name, p, bins, model.updateRatio(p));
        });
    }

    private static void checkBins(int bins) {
        try {
            TensorStats.checkBins(bins);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("bins", e.getMessage());
        }
    }

    private static void requireInitialized(String name, Tensor p) {
        if (!p.isInitialized()) {
            throw new UnprocessableException("", name + ": " + new UninitializedParameterException("stats").getMessage());
        }
    }
}
