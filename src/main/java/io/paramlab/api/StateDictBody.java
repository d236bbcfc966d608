package io.paramlab.api;

import org.springframework.http.HttpInputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotWritableException;
import org.springframework.http.HttpOutputMessage;

import java.util.List;

/**
 * A state-dict request body not yet read: which format it is depends on {@code ?format=}, which a
 * message converter cannot see, so the converter hands the handler the stream and the handler
 * decodes it. Declaring the body this way keeps {@link MediaTypeGuard}'s 415 before any work.
 */
record StateDictBody(HttpInputMessage message, MediaType contentType) {

    /** Accepts JSON and octet-stream bodies for {@link StateDictBody} and reads nothing. */
    static final class Converter implements HttpMessageConverter<StateDictBody> {
        private static final List<MediaType> TYPES = List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM);

        @Override
        public boolean canRead(Class<?> type, MediaType mediaType) {
            return type == StateDictBody.class && (mediaType == null
                    || TYPES.stream().anyMatch(t -> t.includes(mediaType)) && mediaType.isConcrete());
        }

        @Override
        public boolean canWrite(Class<?> type, MediaType mediaType) {
            return false;
        }

        @Override
        public List<MediaType> getSupportedMediaTypes() {
            return TYPES;
        }

        @Override
        public StateDictBody read(Class<? extends StateDictBody> type, HttpInputMessage message) {
            return new StateDictBody(message, message.getHeaders().getContentType());
        }

        @Override
        public void write(StateDictBody body, MediaType contentType, HttpOutputMessage message) {
            throw new HttpMessageNotWritableException("a state-dict body is only read");
        }
    }
}
