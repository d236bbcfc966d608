package io.paramlab.api;

import org.springframework.core.ResolvableType;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConversionException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.HttpMessageNotWritableException;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.util.StreamUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.exc.InvalidDefinitionException;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The forward's body and answer, read and written as Boot's JSON converter does (its mapper, its
 * media types, its errors), with the reader and the writer built once instead of per request.
 * Spring's converter looks up the mapper, the Java type and a new reader or writer for every
 * body; the forward is the API's hot path. Any other charset than UTF-8 takes Spring's own way.
 */
final class ForwardJson extends JacksonJsonHttpMessageConverter {
    private final ObjectReader reader;
    private final ObjectWriter writer;

    ForwardJson(JacksonJsonHttpMessageConverter boot) {
        super(boot.getMapper());
        setSupportedMediaTypes(boot.getSupportedMediaTypes());
        this.reader = boot.getMapper().readerFor(ComputeController.ForwardRequest.class);
        this.writer = boot.getMapper().writer();
    }

    private static boolean handles(Class<?> type) {
        return type == ComputeController.ForwardRequest.class || type == ComputeController.ForwardResponse.class;
    }

    @Override
    public boolean canRead(ResolvableType type, MediaType mediaType) {
        return type.toClass() == ComputeController.ForwardRequest.class && super.canRead(type, mediaType);
    }

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
        return clazz == ComputeController.ForwardRequest.class && super.canRead(clazz, mediaType);
    }

    @Override
    public boolean canWrite(Class<?> clazz, MediaType mediaType) {
        return clazz == ComputeController.ForwardResponse.class && super.canWrite(clazz, mediaType);
    }

    @Override
    public boolean canWrite(ResolvableType type, Class<?> clazz, MediaType mediaType) {
        return clazz == ComputeController.ForwardResponse.class && super.canWrite(type, clazz, mediaType);
    }

    @Override
    public Object read(ResolvableType type, HttpInputMessage input, Map<String, Object> hints) throws IOException {
        if (!handles(type.toClass()) || !utf8(input.getHeaders().getContentType()) || hints != null && !hints.isEmpty()) {
            return super.read(type, input, hints);
        }
        try {
            return reader.readValue(StreamUtils.nonClosing(input.getBody()));
        } catch (InvalidDefinitionException e) {   // worded as Spring's converter words them
            throw new HttpMessageConversionException("Type definition error: " + e.getType(), e);
        } catch (JacksonException e) {
            throw new HttpMessageNotReadableException("JSON parse error: " + e.getOriginalMessage(), e, input);
        }
    }

    @Override
    protected void writeInternal(Object value, ResolvableType type, HttpOutputMessage output, Map<String, Object> hints) throws IOException {
        if (!handles(value.getClass()) || !utf8(output.getHeaders().getContentType()) || hints != null && !hints.isEmpty()) {
            super.writeInternal(value, type, output, hints);
            return;
        }
        try (JsonGenerator generator = writer.createGenerator(StreamUtils.nonClosing(output.getBody()), JsonEncoding.UTF8)) {
            writer.writeValue(generator, value);
            generator.flush();
        } catch (InvalidDefinitionException e) {
            throw new HttpMessageConversionException("Type definition error: " + e.getType(), e);
        } catch (JacksonException e) {
            throw new HttpMessageNotWritableException("Could not write JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static boolean utf8(MediaType type) {
        Charset charset = type == null ? null : type.getCharset();
        return charset == null || charset.equals(StandardCharsets.UTF_8);
    }
}
