package io.paramlab.api;

import io.paramlab.api.Views.ParameterInfo;
import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelOperations;
import io.paramlab.model.ModelOperations.ParameterPatch;
import io.paramlab.model.ModelRegistry;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.Explode;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parameters: {@code named_parameters()} of any module, one parameter by any of its names, writes. */
@Tag(name = "parameters")
@RestController
@RequestMapping("/api/v1/models/{id}/parameters")
class ParameterController {
    private static final Set<String> INCLUDES = Set.of("data", "grad");
    private final ModelRegistry registry;
    private final ModelOperations operations;

    ParameterController(ModelRegistry registry, ModelOperations operations) {
        this.registry = registry;
        this.operations = operations;
    }

    /** {@code value} is a number or "NaN", "Infinity", "-Infinity", as in tensors. */
    record Patch(List<Integer> index, Object value, TensorData data, Boolean requiresGrad) {
    }

    @Operation(operationId = "listParameters", summary = "List named parameters",
            description = "net[module].named_parameters(): names relative to the module, each tied parameter once under its "
                    + "first name with its other names as aliases; include=data,grad adds p.data and p.grad (null before any backward).")
    @ApiResponse(responseCode = "200", description = "The named parameters", content = @Content(mediaType = "application/json", array = @ArraySchema(schema = @Schema(ref = ApiSchemas.PARAMETER))))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping
    org.springframework.http.ResponseEntity<List<Map<String, Object>>> list(jakarta.servlet.http.HttpServletRequest request, @PathVariable String id,
                                   @Parameter(description = "module path, \"\" for the root", example = "2") @RequestParam(defaultValue = "") String module,
                                   @Parameter(description = "what to add to each parameter: data (p.data), grad (p.grad)", explode = Explode.TRUE, array = @ArraySchema(schema = @Schema(type = "string", allowableValues = {"data", "grad"})), examples = @ExampleObject(name = "data and grad", value = "[\"data\", \"grad\"]")) @RequestParam(defaultValue = "") List<String> include) {
        for (String item : include) {
            if (!INCLUDES.contains(item)) {
                throw new InvalidInputException("include", "unknown include \"" + item + "\"; known: data, grad");
            }
        }
        LiveModel model = registry.get(id);
        return Versions.versioned(model, request, () -> Views.parameters(model, module, include.contains("data"), include.contains("grad"))
                .stream().map(p -> render(p, include.contains("data"), include.contains("grad"))).toList());
    }

    @Operation(operationId = "getParameter", summary = "Read one parameter", description = "One parameter by any of its names (a tied parameter answers to "
            + "each), with data and grad, as net[2].bias.data and net[2].bias.grad.")
    @ApiResponse(responseCode = "200", description = "The parameter with data and grad", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.PARAMETER)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/{name}")
    org.springframework.http.ResponseEntity<Map<String, Object>> get(jakarta.servlet.http.HttpServletRequest request, @PathVariable String id,
            @Parameter(description = "any of the parameter's names", example = "2.bias") @PathVariable String name) {
        LiveModel model = registry.get(id);
        return Versions.versioned(model, request, () -> render(Views.parameter(model, name), true, true));
    }

    @Operation(operationId = "patchParameter", summary = "Write a parameter", description = "net[0].weight.data[0, 0] = 100 ({\"index\": [0, 0], \"value\": 100}), "
            + "a whole new value ({\"data\": TENSOR} of the same shape), and/or requires_grad. A write through one name of a "
            + "tied parameter is seen through all of them. With Prefer: return=minimal (RFC 7240) the answer is a 204 without the "
            + "parameter, so that a one-element write of a large parameter does not send the whole tensor back (an addition to API.md).")
    @ApiResponse(responseCode = "200", description = "The parameter after the write", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.PARAMETER)))
    @ApiResponse(responseCode = "204", description = "Written, with Prefer: return=minimal (Preference-Applied says so): no parameter in the answer", content = @Content)
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @PatchMapping("/{name}")
    org.springframework.http.ResponseEntity<Map<String, Object>> patch(@PathVariable String id, @Parameter(description = "any of the parameter's names", example = "2.weight") @PathVariable String name,
                              @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.PARAMETER_PATCH), examples = {@ExampleObject(name = "element [0, 0] = 100", value = ApiExamples.PATCH_ELEMENT), @ExampleObject(name = "requires_grad", value = ApiExamples.PATCH_REQUIRES_GRAD), @ExampleObject(name = "data (net's 2.weight, [1, 8])", value = ApiExamples.PATCH_DATA)}))
                              @RequestBody Patch patch,
                              @Parameter(description = "return=minimal: answer 204 without the parameter") @org.springframework.web.bind.annotation.RequestHeader(value = "Prefer", required = false) String prefer) {
        LiveModel model = operations.patchParameter(id, name, validate(patch));
        if (prefer != null && prefer.toLowerCase(java.util.Locale.ROOT).contains("return=minimal")) {
            return org.springframework.http.ResponseEntity.noContent().header("Preference-Applied", "return=minimal").build();
        }
        return org.springframework.http.ResponseEntity.ok(render(Views.parameter(model, name), true, true));
    }

    private static ParameterPatch validate(Patch patch) {
        boolean elementWrite = patch.index() != null || patch.value() != null;
        if (elementWrite && patch.data() != null) {
            throw new InvalidInputException("data", "give either index and value, or data, not both");
        }
        if (elementWrite && (patch.index() == null || patch.value() == null)) {
            throw new InvalidInputException(patch.index() == null ? "index" : "value", "index and value go together");
        }
        if (!elementWrite && patch.data() == null && patch.requiresGrad() == null) {
            throw new InvalidInputException("", "nothing to change: give index and value, data, or requires_grad");
        }
        int[] index = patch.index() == null ? null : patch.index().stream().mapToInt(i -> {
            if (i == null) throw new InvalidInputException("index", "indices must be integers");
            return i;
        }).toArray();
        return new ParameterPatch(index, patch.value() == null ? null : number(patch.value()), patch.data(), patch.requiresGrad());
    }

    private static float number(Object value) {
        if (value instanceof Number n) {
            return n.floatValue();
        }
        Float nonFinite = TensorJson.nonFinite(String.valueOf(value));
        if (nonFinite == null) {
            throw new InvalidInputException("value", "must be a number or \"NaN\", \"Infinity\", \"-Infinity\", got " + value);
        }
        return nonFinite;
    }

    /** Renders a parameter; {@code data} and {@code grad} appear when included, grad as null before any backward. */
    static Map<String, Object> render(ParameterInfo p, boolean withData, boolean withGrad) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.name());
        out.put("shape", p.shape());
        out.put("dtype", "float32");
        if (p.shape() == null) {
            out.put("initialized", false);
        }
        out.put("requires_grad", p.requiresGrad());
        out.put("aliases", p.aliases());
        if (withData) {
            out.put("data", p.data());
        }
        if (withGrad) {
            out.put("grad", p.grad());
        }
        return out;
    }
}
