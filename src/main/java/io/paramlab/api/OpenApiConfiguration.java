package io.paramlab.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.tags.Tag;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.LinkedHashMap;
import java.util.Map;

/** The OpenAPI document's frame: what paramlab is, the tags, the schemas and the shared problem answers. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {
    static final String PROBLEM_JSON = "application/problem+json";

    @Bean
    OpenAPI paramlabOpenApi() {
        Components components = new Components();
        Map.of("BadRequest", "Malformed or invalid request: errors names each field at fault",
                        "NotFound", "Unknown model, module or parameter",
                        "TooLarge", "Body or model over a configured limit (paramlab.limits.*): limit, actual, maximum",
                        "UnsupportedMediaType", "The body is not application/json",
                        "Unprocessable", "Well-formed but not computable, worded as PyTorch words it (shape mismatch, strict load with missing keys, impossible fan)",
                        "Conflict", "The model's state forbids it now: no optimizer or scheduler, a job running on it, a tag taken",
                        "PreconditionFailed", "If-Match names a version the model has moved on from: expected, actual")
                .forEach((name, description) -> components.addResponses(name, new ApiResponse().description(description)
                        .content(new Content().addMediaType(PROBLEM_JSON,
                                new MediaType().schema(new Schema<>().$ref(ApiSchemas.REF + ApiSchemas.PROBLEM))))));
        return new OpenAPI()
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
                .addTagsItem(new Tag().name("init").description("nn.init policies per layer path, reproducible under a seed"));
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
            }));
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
