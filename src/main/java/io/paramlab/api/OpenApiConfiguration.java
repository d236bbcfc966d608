package io.paramlab.api;

import io.paramlab.nn.TensorData;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.tags.Tag;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Map;

/** The OpenAPI document's frame: what paramlab is, the tags, the schemas and the shared problem answers. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {
    static {
        // tensors have their own codec: document the JSON, not the Java record
        SpringDocUtils.getConfig().replaceWithClass(TensorData.class, ApiSchemas.Tensor.class);
    }

    /** swagger-core reads models with its own (Jackson 2) mapper: give it the API's snake_case names. */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Bean
    OpenAPI paramlabOpenApi() {
        Components components = new Components();
        for (Class<?> schema : new Class<?>[] {ApiSchemas.Problem.class, ApiSchemas.ModelSpec.class, ApiSchemas.InitRequest.class,
                ApiSchemas.Tensor.class}) {
            ModelConverters.getInstance().readAll(schema).forEach(components::addSchemas);
        }
        Map.of("BadRequest", "Malformed or invalid request: errors names each field at fault",
                        "NotFound", "Unknown model, module or parameter",
                        "TooLarge", "Body or model over a configured limit (paramlab.limits.*): limit, actual, maximum",
                        "UnsupportedMediaType", "The body is not application/json",
                        "Unprocessable", "Well-formed but not computable, worded as PyTorch words it (shape mismatch, strict load with missing keys, impossible fan)")
                .forEach((name, description) -> components.addResponses(name, new ApiResponse().description(description)
                        .content(new Content().addMediaType("application/problem+json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))))));
        return new OpenAPI()
                .info(new Info().title("paramlab").version("1")
                        .description("""
                                Neural-network model parameters over HTTP/JSON, with PyTorch's semantics and numbers: the \
                                "parameter management" chapter of Dive into Deep Learning as a service.

                                Walk through the chapter with the examples, in order: create `net` (POST /models, example \
                                "net"), read its state dict and parameters, create `rgnet` and the `tied` model, initialize \
                                (POST /init: init_normal, init_constant, xavier_42, my_init), then forward and backward on X. \
                                Put the id from each create answer into the {id} field."""))
                .components(components)
                .addTagsItem(new Tag().name("models").description("Create models from a layer spec, list, read, train/eval, delete"))
                .addTagsItem(new Tag().name("parameters").description("named_parameters(), one parameter with its grad, writes"))
                .addTagsItem(new Tag().name("state dict").description("state_dict() and load_state_dict()"))
                .addTagsItem(new Tag().name("compute").description("forward, backward (gradients accumulate), zero_grad"))
                .addTagsItem(new Tag().name("init").description("nn.init policies per layer path, reproducible under a seed"));
    }
}
