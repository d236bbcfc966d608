package io.paramlab.api;

import io.paramlab.formats.FormatException;
import io.paramlab.formats.RawTensors;
import io.paramlab.formats.SafeTensors;
import io.paramlab.formats.StateDictFormat;
import io.paramlab.formats.StoredDtype;
import io.paramlab.formats.TorchSave;
import io.paramlab.model.SpectraService;
import io.paramlab.model.StateDictLimits;
import io.paramlab.model.StateDicts;
import io.paramlab.model.StoredTensors;
import io.paramlab.nn.TensorData;
import io.paramlab.nn.TensorStats;
import io.paramlab.nn.spectra.Spectra;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.store.HistoryEntry;
import io.paramlab.store.Page;
import io.paramlab.store.StateDictStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * State dicts without a model (API.md, "State dicts without a model"): uploads that stream into
 * the store, reads and statistics chunk by chunk, downloads in either file format, diffs.
 */
@Tag(name = "state dicts")
@RestController
@RequestMapping("/api/v1/state-dicts")
class StoredStateDictController {
    private static final String OCTET = MediaType.APPLICATION_OCTET_STREAM_VALUE;
    private static final String JSON = MediaType.APPLICATION_JSON_VALUE;
    private final StateDicts stateDicts;
    private final StateDictStore store;
    private final StateDictLimits limits;
    private final JsonMapper json;
    private final SpectraService spectra;
    private final UploadIdempotency idempotency;

    StoredStateDictController(StateDicts stateDicts, StateDictLimits limits, JsonMapper json, SpectraService spectra,
                              UploadIdempotency idempotency) {
        this.stateDicts = stateDicts;
        this.store = stateDicts.store();
        this.limits = limits;
        this.json = json;
        this.spectra = spectra;
        this.idempotency = idempotency;
    }

    @Operation(operationId = "createStateDict", summary = "Store a state dict", description = "A safetensors file, a torch.save file "
            + "(?key= picks a checkpoint's entry) or JSON, kept as it is: every dtype its own, ties kept. The file streams into "
            + "the store (bounded by paramlab.limits.max-state-dict-bytes, not by the heap); identical tensors are stored once. "
            + "With ?from=model:{id} or model:{id}@{checkpoint} and no body: a model's (or a checkpoint's) state dict kept as a state dict.")
    @ApiResponse(responseCode = "201", description = "Stored; Location is its URL", content = @Content(mediaType = JSON,
            schema = @Schema(ref = ApiSchemas.STORED_STATE_DICT)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @PostMapping
    ResponseEntity<?> create(
            @Parameter(description = "its name") @RequestParam(required = false) String name,
            @Parameter(description = "json, safetensors or pt; wins over Content-Type") @RequestParam(required = false) String format,
            @Parameter(description = "torch.save only: the entry of a checkpoint dict that holds the state dict",
                    example = "model_state_dict") @RequestParam(required = false) String key,
            @Parameter(description = "model:{id} or model:{id}@{checkpoint}: keep that state dict (no body)",
                    example = "model:3f0c") @RequestParam(required = false) String from,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false, content = {
                    @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.STATE_DICT_INPUT),
                            examples = {@ExampleObject(name = "net's whole state dict", value = ApiExamples.LOAD_NET)}),
                    @Content(mediaType = OCTET, schema = @Schema(type = "string", format = "binary",
                            description = "a .safetensors file, or a torch.save .pt file"))})
            @RequestBody(required = false) StateDictBody body, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        StateDictStore.Summary created;
        if (from != null) {
            if (body != null) {   // the body was dropped without a word: a state dict other than the one sent
                throw new InvalidInputException("from", "give either a body or ?from=, not both: ?from= keeps a model's state dict");
            }
            if (!from.startsWith("model:") || from.length() == "model:".length()) {
                throw new InvalidInputException("from", "must be model:{id} or model:{id}@{checkpoint}, got " + Messages.quoted(from));
            }
            created = stateDicts.copyOf(from, name);
        } else {
            if (body == null) {
                throw new InvalidInputException("", "send a safetensors, torch.save or JSON state dict, or say ?from=model:{id}");
            }
            // a file streams in, so its Idempotency-Key is taken here (hashed as it streams); a JSON body's by IdempotencyFilter
            UploadIdempotency.Keyed keyed = BodySizeLimitFilter.isStateDictUpload(request)
                    ? idempotency.open(request, body.message().getBody()) : null;
            if (keyed == null) {
                created = upload(name, format, key, body, body.message().getBody(), null, null);
            } else {
                try (keyed) {
                    if (keyed.answered(response)) {
                        return null;
                    }
                    byte[][] answer = new byte[1][];
                    created = upload(name, format, key, body, keyed.body(), keyed, answer);
                    return created(created).contentType(MediaType.APPLICATION_JSON).body(answer[0]);
                }
            }
        }
        StateDictStore.Contents contents = store.contents(created.id()).orElseThrow();
        return created(created).body(StoredStateDictViews.info(created, contents.tensors(), true));
    }

    private static ResponseEntity.BodyBuilder created(StateDictStore.Summary created) {
        return ResponseEntity.created(URI.create("/api/v1/state-dicts/" + created.id())).eTag(Versions.etag(created.version()));
    }

    /** Streams the upload in; under an idempotency key, its answer ({@code answer[0]}) is kept as it is stored. */
    private StateDictStore.Summary upload(String name, String format, String key, StateDictBody body, InputStream raw,
                                          UploadIdempotency.Keyed keyed, byte[][] answer) throws IOException {
        long max = limits.maxStateDictBytes().toBytes();
        try {
            BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
            StateDictFormat chosen = StateDictNegotiation.forBody(format, body.contentType(), in);
            if (key != null && chosen != StateDictFormat.PT) {
                throw new InvalidInputException("key", "chooses an entry of a torch.save checkpoint; this body is " + chosen.name().toLowerCase());
            }
            String[] requestHash = new String[1];
            return stateDicts.upload(name, new StateDictStore.Upload() {
                @Override
                public RawTensors.Read read(RawTensors.Sink sink) throws IOException {
                    RawTensors.Read read = switch (chosen) {
                        case SAFETENSORS -> SafeTensors.readRaw(in, max, sink);
                        case PT -> TorchSave.readRaw(in, key, max, sink);
                        case JSON -> fromJson(in, body, sink);
                    };
                    if (keyed != null) {
                        requestHash[0] = keyed.requestHash();   // the rest of the body read too, before the final transaction
                    }
                    return read;
                }

                @Override
                public boolean reserveBuffer(long bytes, boolean needed) throws IOException {
                    return BodyBudget.chargeBuffer(bytes, needed);
                }
            }, (summary, tensors) -> {
                if (keyed != null) {
                    answer[0] = json.writeValueAsBytes(StoredStateDictViews.info(summary, tensors, true));
                    keyed.keep(requestHash[0], HttpStatus.CREATED.value(), Map.of(
                            HttpHeaders.LOCATION, List.of("/api/v1/state-dicts/" + summary.id()),
                            HttpHeaders.ETAG, List.of(Versions.etag(summary.version())),
                            HttpHeaders.CONTENT_TYPE, List.of(JSON)), answer[0]);
                }
            });
        } catch (UncheckedIOException e) {
            throw unreadable(e.getCause());
        } catch (IOException e) {
            throw unreadable(e);
        } catch (FormatException e) {
            if (e.rule().equals("too-large")) {
                throw new LimitExceededException("", "max-state-dict-bytes", max + 1, max,
                        e.getMessage() + " (paramlab.limits.max-state-dict-bytes)");
            }
            throw e;
        }
    }

    /** A body past max-state-dict-bytes as it streamed (answered by Problems, naming the limit), else a body cut short. */
    private static IOException unreadable(IOException e) {
        if (e instanceof BodyTooLargeException) {
            return e;
        }
        throw StateDictImport.unreadable(e);
    }

    /** A JSON body (within max-body-size, parsed whole as for loads): float32, int64 and bool tensors. */
    private RawTensors.Read fromJson(InputStream in, StateDictBody body, RawTensors.Sink sink) throws IOException {
        Map<String, TensorData> state = StateDictImport.decode(StateDictFormat.JSON, in, body.message(), null, 0, json, List::of,
                io.paramlab.formats.ArrayBudget.NONE).state();
        List<RawTensors.Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, TensorData> e : state.entrySet()) {
            TensorData t = e.getValue();
            StoredDtype dtype = t.isFloat() ? StoredDtype.FLOAT32 : t.isBool() ? StoredDtype.BOOL : StoredDtype.INT64;
            tensors.add(new RawTensors.Tensor(tensors.size(), e.getKey(), dtype, t.shape(), t.numel(), null));
        }
        sink.layout(tensors);
        for (RawTensors.Tensor t : tensors) {
            TensorData data = state.get(t.key());
            ByteBuffer bytes = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            if (data.isFloat()) {
                bytes.asFloatBuffer().put(data.floats());
            } else if (data.isBool()) {
                for (boolean b : data.bools()) {
                    bytes.put((byte) (b ? 1 : 0));   // as torch stores a bool: one byte, 0 or 1
                }
            } else {
                bytes.asLongBuffer().put(data.longs());
            }
            sink.data(t.position(), new ByteArrayInputStream(bytes.array()), t.byteSize());
        }
        return new RawTensors.Read(tensors, null);
    }

    @Operation(operationId = "listStateDicts", summary = "List the state dicts", description = "The stored state dicts, oldest first: "
            + "id, name, version, tensor_count, parameter_count, bytes, dtypes (elements per dtype), created_at, owner, source. "
            + "Paged as GET /models: at most `limit` a page, and a Link header (rel=\"next\") while more remain.")
    @ApiResponse(responseCode = "200", description = "A page of state dicts", content = @Content(mediaType = JSON,
            array = @ArraySchema(schema = @Schema(ref = ApiSchemas.STORED_STATE_DICT))))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @GetMapping
    ResponseEntity<List<StoredStateDictViews.StateDictInfo>> list(
            @Parameter(description = "state dicts per page, 1 to 1000") @RequestParam(defaultValue = "100") int limit,
            @Parameter(description = "the cursor of the previous page's Link") @RequestParam(required = false) String after) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidInputException("limit", "must be from 1 to 1000, got " + limit);
        }
        Page<StateDictStore.Summary> page;
        try {
            page = store.list(limit, after);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("after", e.getMessage());
        }
        List<StoredStateDictViews.StateDictInfo> body = page.items().stream()
                .map(s -> StoredStateDictViews.info(s, store.contents(s.id()).map(StateDictStore.Contents::tensors).orElse(List.of()), false))
                .toList();
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok();
        if (page.nextCursor() != null) {
            answer.header(HttpHeaders.LINK, "</api/v1/state-dicts?limit=" + limit + "&after=" + page.nextCursor() + ">; rel=\"next\"");
        }
        return answer.body(body);
    }

    @Operation(operationId = "getStoredStateDict", summary = "Read a state dict", description = "The summary with its tensors (key, shape, "
            + "dtype, numel, tied_to) in file order and the module paths the keys imply; or, with ?format=safetensors|pt, the file: "
            + "a safetensors upload byte for byte, otherwise each tensor's bytes in its own dtype with each tie once.")
    @ApiResponse(responseCode = "200", description = "The state dict", content = {
            @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.STORED_STATE_DICT)),
            @Content(mediaType = OCTET, schema = @Schema(type = "string", format = "binary"))})
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/{id}")
    ResponseEntity<?> get(@PathVariable String id,
                          @Parameter(description = "json, safetensors or pt") @RequestParam(required = false) String format,
                          HttpServletRequest request, HttpServletResponse response) throws IOException {
        StateDictStore.Summary summary = stateDicts.get(id);
        StateDictStore.Contents contents = store.contents(id).orElseThrow(() -> StateDicts.notFound(id));
        StateDictFormat chosen = format == null ? StateDictFormat.JSON : StateDictFormat.fromQuery(format);
        if (chosen == null) {
            throw new InvalidInputException("format", "must be json, safetensors or pt, got \"" + Messages.quoted(format) + "\"");
        }
        String etag = chosen == StateDictFormat.JSON ? Versions.etag(summary.version())
                : Versions.etag(summary.version(), chosen == StateDictFormat.PT ? "pt" : "safetensors");
        if (Versions.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        if (chosen == StateDictFormat.JSON) {
            return ResponseEntity.ok().eTag(etag).body(StoredStateDictViews.info(summary, contents.tensors(), true));
        }
        response.setContentType(OCTET);
        response.setHeader(HttpHeaders.ETAG, etag);
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, StateDictExport.contentDisposition(summary.name(), id, chosen)
                .replace("filename=\"model-", "filename=\"state-dict-"));
        RawTensors.Source source = (position, out) -> store.copyTo(contents.stateId(), position, out);
        try {
            OutputStream out = response.getOutputStream();
            if (chosen == StateDictFormat.PT) {
                TorchSave.writeRaw(out, contents.tensors(), source);
            } else {
                SafeTensors.writeRaw(out, contents.tensors(), contents.safetensorsHeader(), source);
            }
            out.flush();
        } catch (IOException e) {
            throw new ExportAbortedException(e);
        }
        return null;
    }

    @Operation(operationId = "getStoredTensor", summary = "Read one tensor", description = "One tensor in the tensor format, in its own "
            + "dtype; ?slice=0:4,: is numpy's basic indexing per dimension (an integer drops its dimension, steps > 0). Past "
            + "paramlab.limits.max-json-answer-elements, 413.")
    @ApiResponse(responseCode = "200", description = "The tensor", content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.STORED_TENSOR)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @GetMapping("/{id}/tensors/{key}")
    StoredTensors.Values tensor(@PathVariable String id, @PathVariable String key,
                                @Parameter(description = "numpy basic indexing", example = "0:4,:") @RequestParam(required = false) String slice) {
        StoredTensors tensors = tensors(id);
        return tensors.slice(tensors.tensor(key), slice, limits.maxJsonAnswerElements());
    }

    @Operation(operationId = "getStoredStateDictStats", summary = "Statistics of the tensors", description = "STATS (as GET "
            + "/models/{id}/stats defines them) of every tensor, or of the key `prefix` and the keys under `prefix.`, in float64, in file order.")
    @ApiResponse(responseCode = "200", description = "The statistics", content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.STORED_STATE_DICT_STATS)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/{id}/stats")
    StoredStateDictViews.StatsAnswer stats(@PathVariable String id,
                                           @Parameter(description = "a key, or a module path whose keys to include") @RequestParam(defaultValue = "") String prefix,
                                           @Parameter(description = "histogram bins, 1 to 1000") @RequestParam(defaultValue = "30") int bins) {
        try {
            TensorStats.checkBins(bins);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("bins", e.getMessage());
        }
        StoredTensors tensors = tensors(id);
        List<StoredStateDictViews.TensorStatsRow> rows = new ArrayList<>();
        for (RawTensors.Tensor t : tensors.tensors()) {
            if (prefix.isEmpty() || t.key().equals(prefix) || t.key().startsWith(prefix + ".")) {
                rows.add(new StoredStateDictViews.TensorStatsRow(t.key(), t.shape(), t.dtype().pytorchName(), t.numel(),
                        tensors.stats(t, bins)));
            }
        }
        return new StoredStateDictViews.StatsAnswer(rows);
    }

    @Operation(operationId = "getStoredStateDictSpectra", summary = "Spectra of the tensors", description = "As GET "
            + "/models/{id}/spectra computes them, over the tensors in file order (or the key `prefix` and the keys under "
            + "`prefix.`): floating-point tensors of rank >= 2 are analysed in float64 from their own dtype; a tied key, an "
            + "integer or bool tensor is skipped with why. Work past paramlab.limits.max-spectra-work is a 413 naming the layer. "
            + "A state dict never changes: ETag is its version, and answers are cached.")
    @ApiResponse(responseCode = "200", description = "The spectra", content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.SPECTRA)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @GetMapping("/{id}/spectra")
    ResponseEntity<Spectra.Result> spectra(@PathVariable String id,
            @Parameter(description = "a key, or a module path whose keys to include") @RequestParam(defaultValue = "") String prefix,
            @Parameter(description = "esd histogram bins, 1 to 1000") @RequestParam(defaultValue = "50") int bins,
            @Parameter(description = "the smallest matrix side analysed, at least 1")
            @RequestParam(name = "min_evals", defaultValue = "10") int minEvals,
            HttpServletRequest request) {
        SpectraService.checkParameters(bins, minEvals);
        StateDictStore.Summary summary = stateDicts.get(id);
        String etag = Versions.etag(summary.version());
        if (Versions.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        StoredTensors tensors = tensors(id);
        List<Spectra.Candidate> candidates = new ArrayList<>();
        for (RawTensors.Tensor t : tensors.tensors()) {
            if (prefix.isEmpty() || t.key().equals(prefix) || t.key().startsWith(prefix + ".")) {
                candidates.add(new Spectra.Candidate(t.key(), t.shape(), t.dtype().pytorchName(), t.tiedTo() != null,
                        () -> tensors.doubles(t)));
            }
        }
        return ResponseEntity.ok().eTag(etag).body(spectra.ofTensors("state-dict:" + id, prefix, candidates, bins, minEvals, "prefix"));
    }

    @Operation(operationId = "diffStateDicts", summary = "Diff two state dicts", description = "B − A in float64 for every key in both "
            + "with one shape (rows as the checkpoint diff's, in A's order), keys only in one of them, and shape or dtype "
            + "mismatches. A and B are state dict ids, model:{id} or model:{id}@{checkpoint}.")
    @ApiResponse(responseCode = "200", description = "The diff", content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.STATE_DICT_DIFF)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/diff")
    StoredTensors.Diff diff(@Parameter(description = "A", required = true) @RequestParam String from,
                            @Parameter(description = "B", required = true) @RequestParam String to) {
        return tensors(from).diff(tensors(to));
    }

    @Operation(operationId = "getStateDictHistory", summary = "A state dict's history", description = "Its create and renames, newest "
            + "first: version, at, actor, operation, summary.")
    @ApiResponse(responseCode = "200", description = "The history", content = @Content(mediaType = JSON,
            array = @ArraySchema(schema = @Schema(ref = ApiSchemas.HISTORY_ENTRY))))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/{id}/history")
    List<HistoryEntry> history(@PathVariable String id,
                               @Parameter(description = "entries, 1 to 1000") @RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidInputException("limit", "must be from 1 to 1000, got " + limit);
        }
        stateDicts.get(id);
        return store.history(id, limit);
    }

    @Operation(operationId = "patchStateDict", summary = "Rename a state dict", description = "{\"name\": ...}: version + 1; "
            + "If-Match: \"<version>\" refuses with 412 when it moved on.")
    @ApiResponse(responseCode = "200", description = "The state dict", content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.STORED_STATE_DICT)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "412", description = "If-Match names another version", content = @Content(mediaType = ProblemJson.MEDIA_TYPE,
            schema = @Schema(ref = ApiSchemas.PROBLEM)))
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @PatchMapping("/{id}")
    ResponseEntity<StoredStateDictViews.StateDictInfo> patch(@PathVariable String id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = JSON,
                    schema = @Schema(ref = ApiSchemas.STATE_DICT_PATCH), examples = @ExampleObject(name = "rename", value = "{\"name\": \"resnet18-base\"}")))
            @Valid @RequestBody StoredStateDictViews.Rename rename) {
        StateDictStore.Summary renamed = stateDicts.rename(id, rename.name());
        StateDictStore.Contents contents = store.contents(id).orElseThrow(() -> StateDicts.notFound(id));
        return ResponseEntity.ok().eTag(Versions.etag(renamed.version())).body(StoredStateDictViews.info(renamed, contents.tensors(), true));
    }

    @Operation(operationId = "deleteStateDict", summary = "Delete a state dict", description = "Forgets it; chunks no longer "
            + "referenced are reclaimed. Its owner (write) or admin.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        stateDicts.delete(id);
        spectra.forget("state-dict:" + id);
        return ResponseEntity.noContent().build();
    }

    private StoredTensors tensors(String ref) {
        return new StoredTensors(store, store.contents(ref).orElseThrow(() -> ref.startsWith("model:")
                ? new io.paramlab.model.NotFoundException(ref.contains("@") ? "checkpoint" : "model", "no " + ref)
                : StateDicts.notFound(ref)));
    }
}
