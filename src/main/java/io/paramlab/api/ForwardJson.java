package io.paramlab.api;

import io.paramlab.nn.TensorData;
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
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The forward's body and answer, read and written as Boot's JSON converter does (its mapper, its
 * media types, its errors), with the reader and the writer built once instead of per request.
 * Spring's converter looks up the mapper, the Java type and a new reader or writer for every
 * body; the forward is the API's hot path. Its answer (tensors, or lists of them) is written
 * straight by the tensor codec. Any other charset than UTF-8 takes Spring's own way.
 */
final class ForwardJson extends JacksonJsonHttpMessageConverter {
    private static final TensorJson.Writer TENSOR = new TensorJson.Writer();
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
        return readForward(input.getBody(), () -> input);
    }

    /** The forward's body from {@code body} (left open); {@code input}, the message its errors name. */
    Object readForward(InputStream body, Supplier<HttpInputMessage> input) throws IOException {
        try {
            return reader.readValue(StreamUtils.nonClosing(body));
        } catch (InvalidDefinitionException e) {   // worded as Spring's converter words them
            throw new HttpMessageConversionException("Type definition error: " + e.getType(), e);
        } catch (JacksonException e) {
            throw new HttpMessageNotReadableException("JSON parse error: " + e.getOriginalMessage(), e, input.get());
        }
    }

    @Override
    protected void writeInternal(Object value, ResolvableType type, HttpOutputMessage output, Map<String, Object> hints) throws IOException {
        if (!handles(value.getClass()) || !utf8(output.getHeaders().getContentType()) || hints != null && !hints.isEmpty()) {
            super.writeInternal(value, type, output, hints);
            return;
        }
        try (JsonGenerator generator = writer.createGenerator(StreamUtils.nonClosing(output.getBody()), JsonEncoding.UTF8)) {
            if (value instanceof ComputeController.ForwardResponse answer && tensors(answer.output())) {
                generator.writeStartObject();   // the bytes the record's serializer writes, without looking it up
                generator.writeName("output");
                writeTensors(answer.output(), generator);
                generator.writeEndObject();
            } else {
                writer.writeValue(generator, value);
            }
            generator.flush();
        } catch (InvalidDefinitionException e) {
            throw new HttpMessageConversionException("Type definition error: " + e.getType(), e);
        } catch (JacksonException e) {
            throw new HttpMessageNotWritableException("Could not write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A tensor, or a list of tensors (nested, null for None): what a forward answers. */
    private static boolean tensors(Object output) {
        if (output instanceof List<?> list) {
            for (Object item : list) {
                if (!tensors(item)) {
                    return false;
                }
            }
            return true;
        }
        return output == null || output instanceof TensorData;
    }

    private static void writeTensors(Object output, JsonGenerator generator) {
        if (output instanceof TensorData tensor) {
            TENSOR.serialize(tensor, generator, null);
        } else if (output instanceof List<?> list) {
            generator.writeStartArray();
            for (Object item : list) {
                writeTensors(item, generator);
            }
            generator.writeEndArray();
        } else {
            generator.writeNull();
        }
    }

    static boolean utf8(MediaType type) {
        Charset charset = type == null ? null : type.getCharset();
        return charset == null || charset.equals(StandardCharsets.UTF_8);
    }
}
