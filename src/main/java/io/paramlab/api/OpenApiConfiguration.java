package io.paramlab.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.PostMapping;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OpenAPI document's frame: what paramlab is, the tags, the schemas, the shared problem answers,
 * and the bearer scheme every operation takes (with its 401 and 403) when access control is on.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {
    static final String PROBLEM_JSON = "application/problem+json";
    static final String BEARER = "bearer";

    @Bean
    OpenAPI paramlabOpenApi() {
        Components components = new Components();
        Map.of("BadRequest", "Malformed or invalid request: errors names each field at fault",
                        "NotFound", "Unknown model, module or parameter",
                        "TooLarge", "Body or model over a configured limit (paramlab.limits.*): limit, actual, maximum",
                        "UnsupportedMediaType", "The body is not application/json",
                        "Unprocessable", "Well-formed but not computable, worded as PyTorch words it (shape mismatch, strict load with missing keys, impossible fan)",
                        "Conflict", "The model's state forbids it now: no optimizer or scheduler, a job running on it, a tag taken, uninitialized lazy parameters",
                        "PreconditionFailed", "If-Match names a version the model has moved on from: expected, actual",
                        "Unauthorized", "Access control is on and the request has no token, or an unknown one (WWW-Authenticate: Bearer)",
                        "Forbidden", "The token's role is too low, or the model belongs to another owner (a write token changes only what it created)")
                .forEach((name, description) -> components.addResponses(name, new ApiResponse().description(description)
                        .content(new Content().addMediaType(PROBLEM_JSON,
                                new MediaType().schema(new Schema<>().$ref(ApiSchemas.REF + ApiSchemas.PROBLEM))))));
        // Swagger UI's Authorize button: the token goes into the Authorization header of every operation
        components.addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("A token configured by name, role and SHA-256 (paramlab.security.tokens), or a JWT of the configured"
                        + " issuer with the scope paramlab.read, paramlab.write or paramlab.admin. Not needed when access control is off."));
        return new OpenAPI()
                .addSecurityItem(new SecurityRequirement().addList(BEARER))
                .info(new Info().title("paramlab").version("1")
                        .description("""
                                Neural-network model parameters over HTTP/JSON, with PyTorch's semantics and numbers: the \
                                "parameter management" chapter of Dive into Deep Learning as a service.

                                Walk through the chapter with the examples, in order, as the README does: create `net` \
                                (createModel, example "net"), forward X, read `net[2].state_dict()`, `net[2].bias` and the \
                                named parameters, create `rgnet` and the `tied` model, write `2.weight[0, 0] = 100` and \
                                read it back through `4.weight`, backward and zero_grad; then create `net (seed 1)` and \
                                initialize it (initModel: init_normal, init_constant, xavier on net[0] and 42 on net[2], \
                                my_init). Put the id from each create answer into the {id} field."""))
                .components(components)
                .addTagsItem(new Tag().name("models").description("Create models from a layer spec, list, read, train/eval, delete"))
                .addTagsItem(new Tag().name("parameters").description("named_parameters(), one parameter with its grad, writes"))
                .addTagsItem(new Tag().name("state dict").description("state_dict() and load_state_dict()"))
                .addTagsItem(new Tag().name("compute").description("forward, backward (gradients accumulate), zero_grad"))
                .addTagsItem(new Tag().name("init").description("nn.init policies per layer path, reproducible under a seed"))
                .addTagsItem(new Tag().name("checkpoints").description("Immutable copies of a model's state: restore, fork, diff"));
    }

    /**
     * The schemas are {@link ApiSchemas}' and only those: whatever springdoc read off Java types is
     * replaced. Parameter examples of string parameters stay strings ("2" is a path, not a number).
     */
    @Bean
    OpenApiCustomizer paramlabSchemas() {
        return openApi -> {
            openApi.getComponents().setSchemas(new LinkedHashMap<>(ApiSchemas.components()));
            openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
                if (operation.getParameters() != null) {
                    operation.getParameters().forEach(OpenApiConfiguration::stringExample);
                }
                operation.getResponses().addApiResponse("401", new ApiResponse().$ref("#/components/responses/Unauthorized"));
                operation.getResponses().addApiResponse("403", new ApiResponse().$ref("#/components/responses/Forbidden"));
            }));
        };
    }

    /**
     * Every POST takes Idempotency-Key (IdempotencyFilter, which serves them all): documented here,
     * once, with the 409 and 422 it can answer.
     */
    @Bean
    OperationCustomizer idempotencyKeyOnPosts() {
        return (operation, handler) -> {
            if (handler.hasMethodAnnotation(PostMapping.class)) {
                operation.addParametersItem(new HeaderParameter().name(IdempotencyFilter.HEADER).required(false)
                        .description("any string of 1 to " + IdempotencyFilter.MAX_KEY_LENGTH + " characters: a repeat with the "
                                + "same key, method, path, query and body within 24 hours gets the first 2xx answer again "
                                + "(with Idempotent-Replayed: true) without the work being done twice; the same key with "
                                + "another request is a 422, and a repeat while the first still runs a 409")
                        .schema(ApiSchemas.string().minLength(1).maxLength(IdempotencyFilter.MAX_KEY_LENGTH)));
                if (operation.getResponses() != null) {
                    operation.getResponses().putIfAbsent("409", new ApiResponse().$ref("#/components/responses/Conflict"));
                    operation.getResponses().putIfAbsent("422", new ApiResponse().$ref("#/components/responses/Unprocessable"));
                }
            }
            return operation;
        };
    }

    private static void stringExample(Parameter parameter) {
        Schema<?> schema = parameter.getSchema();
        boolean isString = schema != null && ("string".equals(schema.getType())
                || (schema.getTypes() != null && schema.getTypes().contains("string")));
        if (isString && parameter.getExample() != null && !(parameter.getExample() instanceof String)) {
            parameter.setExample(String.valueOf(parameter.getExample()));
        }
    }
}
