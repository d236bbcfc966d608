package io.paramlab.api;

import io.paramlab.formats.StateDictFormat;
import io.paramlab.spec.InvalidInputException;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotAcceptableException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.List;

/**
 * Which format a state dict travels in: {@code ?format=} wins; else the answer follows
 * {@code Accept} (JSON by default) and a body its {@code Content-Type}, an octet-stream body
 * being torch.save when it starts as a zip does and safetensors otherwise.
 */
final class StateDictNegotiation {
    static final List<MediaType> PRODUCIBLE = List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM);

    private StateDictNegotiation() {
    }

    /** The format of {@code ?format=}, or null when absent; an unknown name is a 400. */
    static StateDictFormat fromQuery(String format) {
        if (format == null) {
            return null;
        }
        StateDictFormat f = StateDictFormat.fromQuery(format);
        if (f == null) {
            throw new InvalidInputException("format", "must be json, safetensors or pt, got \"" + Messages.quoted(format) + "\"");
        }
        return f;
    }

    /** The answer's format: the query's, else the most preferred of JSON and octet-stream (safetensors) in Accept. */
    static StateDictFormat forAnswer(String format, List<String> acceptHeaders) throws HttpMediaTypeNotAcceptableException {
        StateDictFormat chosen = fromQuery(format);
        if (chosen != null) {
            return chosen;
        }
        if (acceptHeaders.isEmpty()) {
            return StateDictFormat.JSON;
        }
        List<MediaType> accept;
        try {
            accept = MediaType.parseMediaTypes(acceptHeaders);
        } catch (InvalidMediaTypeException e) {
            throw new HttpMediaTypeNotAcceptableException("Accept \"" + Messages.quoted(String.join(", ", acceptHeaders))
                    + "\" is not a list of media types");
        }
        double best = 0;
        for (MediaType m : accept) {
            double q = m.getQualityValue();
            // a wildcard stands for JSON, the default; octet-stream must be asked for by name
            StateDictFormat f = m.includes(MediaType.APPLICATION_JSON) ? StateDictFormat.JSON
                    : m.includes(MediaType.APPLICATION_OCTET_STREAM) ? StateDictFormat.SAFETENSORS : null;
            if (f != null && q > best) {
                best = q;
                chosen = f;
            }
        }
        if (chosen == null) {
            throw new HttpMediaTypeNotAcceptableException(PRODUCIBLE);
        }
        return chosen;
    }

    /** The body's format: the query's, else JSON unless Content-Type is octet-stream, then sniffed from its first bytes. */
    static StateDictFormat forBody(String format, MediaType contentType, BufferedInputStream body) throws IOException {
        StateDictFormat chosen = fromQuery(format);
        if (chosen != null) {
            return chosen;
        }
        if (contentType == null || !MediaType.APPLICATION_OCTET_STREAM.includes(contentType)) {
            return StateDictFormat.JSON;
        }
        body.mark(4);
        byte[] head = body.readNBytes(4);
        body.reset();
        return StateDictFormat.sniffBinary(head, head.length);
    }
}
