package io.paramlab.api;

import io.paramlab.formats.SafeTensors;
import io.paramlab.formats.StateDictFormat;
import io.paramlab.formats.TorchSave;
import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelOperations;
import io.paramlab.model.UnprocessableException;
import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.tensor.UninitializedParameterException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Writes a module's state dict as safetensors or torch.save straight from the live arrays to the
 * response, under the model's read lock so the file is one consistent state. No copy of the model
 * is made; the price is that a slow client holds the read lock (and so delays writers) while it
 * reads, which {@link Deadline} bounds.
 */
final class StateDictExport {
    /** Every export may take this long, plus the time its bytes need at {@link #MIN_BYTES_PER_SECOND}. */
    static final long GRACE_SECONDS = 30;
    static final long MIN_BYTES_PER_SECOND = 1 << 20;

    private StateDictExport() {
    }

    static void write(LiveModel model, String modulePath, StateDictFormat format, boolean copies,
                      jakarta.servlet.http.HttpServletRequest request, HttpServletResponse response) {
        model.read(() -> {
            // a running job changes the values at every step: no ETag then
            String etag = model.heldBy() != null ? null : Versions.etag(model.version(), format == StateDictFormat.PT ? "pt" : "safetensors");
            response.setHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT);
            if (etag != null && Versions.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
                response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                response.setHeader(HttpHeaders.ETAG, etag);
                return null;
            }
            Module module = ModelOperations.module(model, modulePath);
            if (module.anyUninitializedParameters()) {
                throw new UnprocessableException("", "module \"" + modulePath + "\" has uninitialized lazy parameters: "
                        + new UninitializedParameterException("state_dict").getMessage());
            }
            Map<String, TensorData> stateDict = module.stateDict();   // live views: tied keys share one array
            fileHeaders(response, format, etag, model.name(), model.id());
            try {
                OutputStream out = new Deadline(response.getOutputStream(), storageBytes(stateDict));
                encode(out, stateDict, metadata(module), format, copies);
                out.flush();
            } catch (IOException e) {
                throw new ExportAbortedException(e);
            }
            return null;
        });
    }

    /**
     * Writes a stored state dict (a checkpoint's, read from the store: a private copy whose tied keys
     * share one array as the live ones do), so no lock is held and no {@link Deadline} is needed.
     */
    static void writeStored(Map<String, TensorData> stateDict, Map<String, Map<String, Object>> metadata, StateDictFormat format,
                            boolean copies, String name, String id, String etag, HttpServletResponse response) {
        fileHeaders(response, format, etag, name, id);
        try {
            OutputStream out = response.getOutputStream();
            encode(out, stateDict, metadata, format, copies);
            out.flush();
        } catch (IOException e) {
            throw new ExportAbortedException(e);
        }
    }

    private static void fileHeaders(HttpServletResponse response, StateDictFormat format, String etag, String name, String id) {
        response.setContentType(format.mediaType());
        if (etag != null) {   // none while a job runs on the model
            response.setHeader(HttpHeaders.ETAG, etag);
        }
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, contentDisposition(name, id, format));
    }

    private static void encode(OutputStream out, Map<String, TensorData> stateDict, Map<String, Map<String, Object>> metadata,
                               StateDictFormat format, boolean copies) throws IOException {
        if (format == StateDictFormat.PT) {
            TorchSave.write(out, stateDict, metadata);
        } else {
            SafeTensors.write(out, stateDict, copies);
        }
    }

    /** {@code state_dict()._metadata} as torch.save writes it: each module path with {@code {"version": v}}. */
    static Map<String, Map<String, Object>> metadata(Module module) {
        Map<String, Map<String, Object>> metadata = new LinkedHashMap<>();
        module.stateDictVersions().forEach((path, version) -> metadata.put(path, Map.of("version", version)));
        return metadata;
    }

    private static long storageBytes(Map<String, TensorData> stateDict) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long bytes = 0;
        for (TensorData t : stateDict.values()) {
            if (seen.add(t.isFloat() ? t.floats() : t.isBool() ? t.bools() : t.longs())) {
                bytes += (long) t.numel() * (t.isFloat() ? 4 : t.isBool() ? 1 : 8);
            }
        }
        return bytes;
    }

    /**
     * RFC 6266: the model's name (or {@code model-<id>}) with the format's extension; an ASCII
     * {@code filename} always, and {@code filename*} in UTF-8 when the name is not plain ASCII.
     */
    static String contentDisposition(String name, String id, StateDictFormat format) {
        String file = (name == null || name.isBlank() ? "model-" + id : name) + format.fileExtension();
        StringBuilder ascii = new StringBuilder();
        StringBuilder encoded = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < file.length(); ) {
            int c = file.codePointAt(i);
            i += Character.charCount(c);
            boolean unsafe = c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '/';
            plain &= c < 0x80;
            ascii.append(unsafe || c >= 0x80 ? '_' : (char) c);
            for (byte b : (unsafe ? "_" : new String(Character.toChars(c))).getBytes(StandardCharsets.UTF_8)) {
                char ch = (char) (b & 0xff);
                if (Character.isLetterOrDigit(ch) && ch < 0x80 || "!#$&+-.^_`|~".indexOf(ch) >= 0) {
                    encoded.append(ch);
                } else {
                    encoded.append('%').append(String.format(java.util.Locale.ROOT, "%02X", b & 0xff));
                }
            }
        }
        return "attachment; filename=\"" + ascii + "\"" + (plain ? "" : "; filename*=UTF-8''" + encoded);
    }

    /** Fails the export once it runs past its time, so a client reading slowly cannot hold the read lock for long. */
    static final class Deadline extends FilterOutputStream {
        private final long deadline;

        Deadline(OutputStream out, long bytes) {
            super(out);
            this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS)
                    + bytes * TimeUnit.SECONDS.toNanos(1) / MIN_BYTES_PER_SECOND;
        }

        @Override
        public void write(int b) throws IOException {
            check();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            out.write(b, off, len);
        }

        private void check() throws IOException {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("the client read the state dict slower than " + MIN_BYTES_PER_SECOND
                        + " bytes per second; the export was cut off to release the model's read lock");
            }
        }
    }
}
