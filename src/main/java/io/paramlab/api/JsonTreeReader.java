package io.paramlab.api;

import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the bodies parsed as a tree (a model spec, an init request) with a cap on their tokens.
 * A tree costs tens of bytes per token ({@code ["x","x",...]} grows sixteenfold), so a body within
 * max-body-size could still take the heap; tensor bodies stream into arrays and are not capped.
 * Past the cap: a 413 naming {@code json-max-token-count}.
 */
final class JsonTreeReader extends JacksonJsonHttpMessageConverter {
    JsonTreeReader(long maxTokens) {
        super(JsonMapper.builder(JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxTokenCount(maxTokens).build())
                .build()).build());
    }

    @Override
    public boolean canRead(ResolvableType type, MediaType mediaType) {
        return JsonNode.class.isAssignableFrom(type.toClass()) && super.canRead(type, mediaType);
    }

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
        return JsonNode.class.isAssignableFrom(clazz) && super.canRead(clazz, mediaType);
    }

    @Override
    public boolean canWrite(Class<?> clazz, MediaType mediaType) {
        return false;
    }

    @Override
    public boolean canWrite(ResolvableType type, Class<?> clazz, MediaType mediaType) {
        return false;
    }
}
