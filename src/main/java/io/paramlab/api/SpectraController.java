package io.paramlab.api;

import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelRegistry;
import io.paramlab.model.SpectraService;
import io.paramlab.nn.spectra.Spectra;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Spectra of a model's layers (API.md "Spectra"): how trained each layer is, from its weights alone. */
@Tag(name = "statistics")
@RestController
@RequestMapping("/api/v1/models/{id}")
class SpectraController {
    private final ModelRegistry registry;
    private final SpectraService spectra;

    SpectraController(ModelRegistry registry, SpectraService spectra) {
        this.registry = registry;
        this.spectra = spectra;
    }

    @Operation(summary = "Spectra of a module's layers", operationId = "getModelSpectra",
            description = "Heavy-tailed self-regularization as WeightWatcher computes it: for every parameter of net[module] "
                    + "(named_parameters order, tied once) of rank ≥ 2 whose smaller side is at least min_evals, the "
                    + "eigenvalues λ = σ² > 1e-5 of W (of every kernel position's W[:, :, pos] for rank ≥ 3, pooled) in "
                    + "float64, their norms and entropy, WeightWatcher's power-law fit (alpha, xmin, ks_distance, sigma), "
                    + "a quality (over-trained when alpha < 2, under-trained when alpha > 6) and a histogram of log10 λ; "
                    + "the other parameters in skipped, with why; the means in summary. Σ n·m² over the matrices counts "
                    + "against paramlab.limits.max-spectra-work (413 naming the layer, before any work); answers are "
                    + "cached per model version; ETag is the version, and If-None-Match naming it answers 304.")
    @ApiResponse(responseCode = "200", description = "The spectra", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.SPECTRA)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @GetMapping("/spectra")
    ResponseEntity<Spectra.Result> spectra(@PathVariable String id,
                                           @Parameter(description = "module path, \"\" for the root") @RequestParam(defaultValue = "") String module,
                                           @Parameter(description = "esd histogram bins, 1 to 1000") @RequestParam(defaultValue = "50") int bins,
                                           @Parameter(description = "the smallest matrix side analysed, at least 1")
                                           @RequestParam(name = "min_evals", defaultValue = "10") int minEvals,
                                           @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        SpectraService.checkParameters(bins, minEvals);
        LiveModel model = registry.get(id);
        if (model.heldBy() == null && Versions.matches(ifNoneMatch, Versions.etag(model.version()))) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(Versions.etag(model.version())).build();
        }
        SpectraService.ModelSpectra answer = spectra.ofModel(model, module, bins, minEvals);
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
        if (answer.version() != null) {   // none while a job runs on the model: its values change at every step
            ok.eTag(Versions.etag(answer.version()));
        }
        return ok.body(answer.result());
    }
}
