package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.nn.StateDictLoader;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecJson;
import io.paramlab.spec.SpecParser;
import io.paramlab.spec.SpecSize;
import io.paramlab.store.Change;
import io.paramlab.store.ModelRecord;
import io.paramlab.store.ModelState;
import io.paramlab.store.ModelStore;
import io.paramlab.store.ModelSummary;
import io.paramlab.store.Page;
import io.paramlab.store.VersionConflictException;
import io.paramlab.tensor.Blas;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models: every one is in the store; memory holds those in use, up to the budget
 * {@code max-total-parameters} (parameters, buffers and gradients), evicting the least recently
 * used idle ones when it would be passed. Lookups never lock (a concurrent map of handles), so
 * requests on different models never wait on each other.
 */
@Service
public class ModelRegistry implements LiveModel.Keeper {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Map<String, LiveModel> models = new ConcurrentHashMap<>();
    private final Map<LiveModel, Long> reserved = new IdentityHashMap<>();   // guarded by this
    private final ParamlabLimits limits;
    private final ParamlabQuotas quotas;
    private final ModelStore store;
    private final GradientSpill spill;
    private final Object creating = new Object();   // the model count is checked and raised under it
    private long parametersHeld;                    // guarded by this

    public ModelRegistry(ParamlabLimits limits, ModelStore store, @Value("${paramlab.data-dir:./data}") Path dataDir) {
        this(limits, ParamlabQuotas.unlimited(), store, dataDir);
    }

    @org.springframework.beans.factory.annotation.Autowired
    public ModelRegistry(ParamlabLimits limits, ParamlabQuotas quotas, ModelStore store,
                         @Value("${paramlab.data-dir:./data}") Path dataDir) {
        this.limits = limits;
        this.quotas = quotas;
        this.store = store;
        this.spill = new GradientSpill(dataDir.resolve("scratch"));
        log.info("BLAS: {}", Blas.describe());   // loads the BLAS now, not on the first request
    }

    public LiveModel create(JsonNode body) {
        ModelSpec spec = SpecParser.parse(body, limits.specLimits());
        return create(spec, spec.name(), null, null);
    }

    /**
     * A new model with the checkpoint's spec and state (values, requires_grad, mode, generator,
     * optimizer) and a history of its own; it counts against max-models as any create.
     */
    public LiveModel fork(ModelState checkpoint, String name, String summary) {
        ModelSpec spec = SpecParser.parse(JSON.readTree(checkpoint.specJson()), limits.specLimits());
        return create(spec, name, checkpoint, summary);
    }

    /** Creates from {@code spec}, drawn from its seed, or (with {@code from}) holding a stored state. */
    private LiveModel create(ModelSpec spec, String name, ModelState from, String summary) {
        Ownership.checkCreate("model");
        String owner = RequestContext.current().actor();
        SpecSize size = checkSize(spec);
        synchronized (creating) {   // one owner's creates are counted one at a time, as the service's are
            quotas.checkCreate(owner, size.elementCount(), store.usage(owner));
            long count = store.count();
            if (count >= limits.maxModels()) {
                throw new LimitExceededException("model", "max-models", count + 1, limits.maxModels(),
                        "the service already holds " + count + " models, the limit (paramlab.limits.max-models); delete one first");
            }
            String id = UUID.randomUUID().toString();
            Generator generator = from != null ? new Generator(0)
                    : spec.seed() != null ? new Generator(spec.seed()) : Generator.withRandomSeed();
            record Built(LiveModel.Contents contents, io.paramlab.optim.OptimizerSetup optimizer) {
            }
            Built built = reserving(size.elementCount(), () -> null, () -> {
                LiveModel.Contents contents = new LiveModel.Contents(spec, ModuleFactory.build(spec, generator), generator);
                if (from != null) {
                    apply(contents, from);
                }
                // a fork's optimizer is read inside the reservation: a record that fails gives it back
                return new Built(contents, from == null ? null : OptimizerRecord.read(from.optimizerJson(), from.optimizerState(), contents.root()));
            });
            Instant now = Instant.now();
            LiveModel model = new LiveModel(id, owner, now, 1, now, name, built.contents(), this);
            model.restoreOptimizer(built.optimizer(), Map.of());   // not yet published: nobody else can see it
            // a fork's optimizer state is charged too, before anything is committed
            long charged = size.elementCount();
            long held = elementsOf(built.contents()) + (built.optimizer() == null ? 0 : built.optimizer().optimizer().stateElements());
            if (held > charged) {
                try {
                    charge(held - charged, null, null);
                } catch (RuntimeException | Error e) {
                    release(charged);
                    throw e;
                }
                charged = held;
            }
            // registered before it is committed, so a get between the two meets this handle, not a second one with its own lock
            models.put(id, model);
            try {
                ModelSummary stored = store.create(new ModelRecord(id, model.owner(), durableState(model)),
                        new Change(owner, "create",
                                summary != null ? summary : "created with " + model.parameterCount() + " parameters"));
                model.committedAs(stored.version(), stored.updatedAt());
            } catch (RuntimeException | Error e) {
                models.remove(id, model);
                release(charged);
                throw e;
            }
            synchronized (this) {   // reserved (so evictable) once stored; unused shared entries are not held: give them back
                reserved.put(model, held);
                parametersHeld += held - charged;
            }
            return model;
        }
    }

    private SpecSize checkSize(ModelSpec spec) {
        SpecSize size = SpecSize.of(spec);
        if (size.elementCount() > limits.maxParametersPerModel()) {
            throw new LimitExceededException("model", "max-parameters-per-model", size.elementCount(), limits.maxParametersPerModel(),
                    "the model would hold " + size.elementCount() + " parameters and buffer elements, over the limit of "
                            + limits.maxParametersPerModel() + " per model (paramlab.limits.max-parameters-per-model)");
        }
        if (size.modulePaths() > limits.maxModulePaths()) {
            throw new LimitExceededException("model", "max-module-paths", size.modulePaths(), limits.maxModulePaths(),
                    "the model would have " + size.modulePaths() + " module paths, over the limit of "
                            + limits.maxModulePaths() + " (paramlab.limits.max-module-paths)");
        }
        if (size.depth() > limits.maxDepth()) {
            throw new LimitExceededException("model", "max-depth", size.depth(), limits.maxDepth(),
                    "the model nests " + size.depth() + " levels deep through its refs, over the limit of "
                            + limits.maxDepth() + " (paramlab.limits.max-depth)");
        }
        return size;
    }

    /** Reserves {@code elements} (evicting idle models if needed), builds, and gives the reservation back if building fails. */
    private <T> T reserving(long elements, java.util.function.Supplier<LiveModel> forModel, java.util.function.Supplier<T> build) {
        charge(elements, forModel.get(), null);
        try {
            return build.get();
        } catch (RuntimeException | Error e) {
            release(elements);
            throw e;
        }
    }

    private synchronized void release(long elements) {
        parametersHeld -= elements;
    }

    private LimitExceededException overBudget(long more) {
        return new LimitExceededException("model", "max-total-parameters", parametersHeld + more, limits.maxTotalParameters(),
                "the service holds " + parametersHeld + " parameter, buffer and gradient elements of models in use; " + more
                        + " more would pass the limit of " + limits.maxTotalParameters() + " (paramlab.limits.max-total-parameters)");
    }

    /**
     * Adds {@code more} elements to what the budget holds (to {@code owner}'s reservation when not null, and
     * then only while it has one), evicting the least recently used idle models other than {@code keep}
     * first when they would not fit. The evictions, and their spills' I/O, run outside this monitor (each
     * under its model's lock): nothing else waits on the registry while a model is written to scratch.
     */
    private void charge(long more, LiveModel keep, LiveModel owner) {
        while (true) {
            List<LiveModel> candidates;
            synchronized (this) {
                if (owner != null && !reserved.containsKey(owner)) {
                    return;   // deleted while the change ran: delete released it, so there is nothing to reserve again
                }
                if (parametersHeld + more <= limits.maxTotalParameters()) {
                    parametersHeld += more;
                    if (owner != null) {
                        reserved.merge(owner, more, Long::sum);
                    }
                    return;
                }
                candidates = evictionOrder(keep);
            }
            if (!evictUntilFits(more, candidates)) {
                synchronized (this) {
                    if (parametersHeld + more > limits.maxTotalParameters()) {
                        throw overBudget(more);
                    }
                }
            }
        }
    }

    /**
     * The idle candidates for eviction, least recently used first. Each {@code lastUsed} is read once,
     * before the sort: readers change them meanwhile, and a sort whose keys move breaks its contract. Holds this.
     */
    private List<LiveModel> evictionOrder(LiveModel keep) {
        record Candidate(LiveModel model, long lastUsed) {
        }
        List<Candidate> candidates = new ArrayList<>(reserved.size());
        for (LiveModel m : reserved.keySet()) {
            if (m != keep) {
                candidates.add(new Candidate(m, m.lastUsed()));
            }
        }
        candidates.sort(Comparator.comparingLong(Candidate::lastUsed));
        return candidates.stream().map(Candidate::model).toList();
    }

    /** Evicts {@code candidates} in order until {@code more} elements fit; answers whether it evicted any. Not under this. */
    private boolean evictUntilFits(long more, List<LiveModel> candidates) {
        boolean evicted = false;
        for (LiveModel m : candidates) {
            synchronized (this) {
                if (parametersHeld + more <= limits.maxTotalParameters()) {
                    return true;
                }
            }
            // under the model's lock: the spill is written, then the reservation given back, before any load of it can start
            if (m.evictIfIdle(contents -> {
                spill.spill(m.id(), contents.root());
                synchronized (this) {
                    Long held = reserved.remove(m);
                    parametersHeld -= held == null ? 0 : held;
                }
            })) {
                evicted = true;
                log.debug("evicted model {} to make room for {} elements", m.id(), more);
            }
        }
        return evicted;
    }

    /** Sets what {@code model} has reserved to {@code held}, evicting others or refusing growth past the budget. */
    private void adjust(LiveModel model, long held) {
        long more;
        synchronized (this) {
            Long reservedBefore = reserved.get(model);
            if (reservedBefore == null) {
                return;   // deleted while the change ran: delete released it, so there is nothing to reserve again
            }
            more = held - reservedBefore;
            if (more <= 0) {
                parametersHeld += more;
                reserved.put(model, held);
                return;
            }
        }
        charge(more, model, model);
    }

    // ---- the keeper

    @Override
    public LiveModel.Loaded load(LiveModel model) {
        record Read(LiveModel.Contents contents, io.paramlab.optim.OptimizerSetup optimizer) {
        }
        // room is made before the stored values are read: with the module built from them, they are the model twice;
        // the spilled gradients are charged with it, and stay spilled until the model is in memory again
        long estimate = store.find(model.id()).orElseThrow(() -> notFound(model.id())).parameterCount() + spill.elements(model.id());
        Read read = reserving(estimate, () -> model, () -> {
            ModelState state = store.load(model.id()).orElseThrow(() -> notFound(model.id())).state();
            ModelSpec spec = SpecParser.parse(JSON.readTree(state.specJson()), limits.specLimits());
            Generator generator = new Generator(0);
            LiveModel.Contents built = new LiveModel.Contents(spec, ModuleFactory.build(spec, generator), generator);
            apply(built, state);
            spill.restore(model.id(), built.root());
            return new Read(built, OptimizerRecord.read(state.optimizerJson(), state.optimizerState(), built.root()));
        });
        LiveModel.Contents contents = read.contents();
        io.paramlab.optim.OptimizerSetup optimizer = read.optimizer();
        synchronized (this) {
            reserved.put(model, estimate);
        }
        try {
            adjust(model, elementsOf(contents) + (optimizer == null ? 0 : optimizer.optimizer().stateElements()));
        } catch (RuntimeException | Error e) {
            synchronized (this) {   // refused: the model stays evicted, its reservation given back, its spill kept
                Long held = reserved.remove(model);
                parametersHeld -= held == null ? 0 : held;
            }
            throw e;
        }
        spill.forget(model.id());
        return new LiveModel.Loaded(contents, optimizer);
    }

    /** Sets a stored state into freshly built contents: values, requires_grad, mode, generator. */
    private static void apply(LiveModel.Contents contents, ModelState state) {
        setCheckpointed(contents, state);
        Map<String, Tensor> parameters = contents.root().allParameterNames();
        state.requiresGrad().forEach((name, flag) -> parameters.get(name).setRequiresGrad(flag));
    }

    /** What a checkpoint holds of the module and generator: the state dict, the mode, the generator's state. */
    private static void setCheckpointed(LiveModel.Contents contents, ModelState state) {
        StateDictLoader.load(contents.root(), state.stateDict(), false, Map.of());
        contents.root().train(state.training());
        if (state.generatorState() != null) {
            contents.generator().restore(state.generatorState());
        }
    }

    /**
     * A checkpoint's restore, inside {@code model.change(..., Footprint.RESTORE, ...)}: its state dict,
     * mode, generator and optimizer (none when it had none); gradients, name and requires_grad stay.
     */
    void restore(LiveModel model, ModelState checkpoint) {
        setCheckpointed(model.contents(), checkpoint);
        model.setOptimizer(OptimizerRecord.read(checkpoint.optimizerJson(), checkpoint.optimizerState(), model.root()));
    }

    /**
     * A lazy parameter of {@code model} is about to allocate {@code elements} (inside a change): refused
     * past max-parameters-per-model, else charged to the model's reservation (evicting idle models, or
     * refused past max-total-parameters) before anything is allocated.
     */
    @Override
    public void materializing(LiveModel model, long elements) {
        long held;
        synchronized (this) {
            Long reservedNow = reserved.get(model);
            held = reservedNow == null ? 0 : reservedNow;
        }
        if (held + elements > limits.maxParametersPerModel()) {
            throw new LimitExceededException("model", "max-parameters-per-model", held + elements, limits.maxParametersPerModel(),
                    "the model would hold " + (held + elements) + " parameters and buffer elements, over the limit of "
                            + limits.maxParametersPerModel() + " per model (paramlab.limits.max-parameters-per-model)");
        }
        charge(elements, model, model);
    }

    /** After a rollback: the model holds what it did before the change; anything charged for it during the change is given back. */
    @Override
    public void rolledBack(LiveModel model) {
        long held = elementsOf(model.contents()) + (model.optimizer() == null ? 0 : model.optimizer().optimizer().stateElements());
        synchronized (this) {
            Long reservedNow = reserved.get(model);
            if (reservedNow != null && held < reservedNow) {
                parametersHeld -= reservedNow - held;
                reserved.put(model, held);
            }
        }
    }

    @Override
    public void committed(LiveModel model, Change change, boolean durable) {
        long held = elementsOf(model.contents()) + (model.optimizer() == null ? 0 : model.optimizer().optimizer().stateElements());
        if (held > limits.maxParametersPerModel()) {
            throw new LimitExceededException("model", "max-parameters-per-model", held, limits.maxParametersPerModel(),
                    "the model would hold " + held + " parameters and buffer elements, over the limit of "
                            + limits.maxParametersPerModel() + " per model (paramlab.limits.max-parameters-per-model)");
        }
        adjust(model, held);
        if (durable) {
            try {
                ModelState state = durableState(model);
                ModelSummary stored = store.commit(model.id(), model.version(), state, model.unstoredChanges(state.stateDict()), change);
                model.committedAs(stored.version(), stored.updatedAt());
            } catch (VersionConflictException e) {
                throw new PreconditionFailedException(model.id(), e.expected(), e.actual());
            } catch (io.paramlab.store.NoSuchModelException e) {
                throw notFound(model.id());
            }
        }
    }

    /** Parameter, buffer and gradient elements the contents hold: what the budget must have reserved for them. */
    static long elementsOf(LiveModel.Contents contents) {
        long elements = 0;
        for (Tensor p : contents.root().namedParameters().values()) {
            elements += p.numel() + (p.grad() == null ? 0 : p.grad().length);
        }
        for (TensorData b : contents.root().namedBuffers().values()) elements += b.numel();
        return elements;
    }

    /** What the store keeps: everything a client reads back but gradients (uninitialized lazy parameters come from the spec). */
    static ModelState durableState(LiveModel model) {
        Map<String, TensorData> stateDict = new LinkedHashMap<>();
        model.root().stateDict().forEach((key, value) -> {
            if (value.shape() != null) {
                stateDict.put(key, value);
            }
        });
        Map<String, Boolean> requiresGrad = new LinkedHashMap<>();
        model.root().namedParameters().forEach((key, p) -> {
            if (p.isInitialized()) {
                requiresGrad.put(key, p.requiresGrad());
            }
        });
        OptimizerRecord.Stored optimizer = OptimizerRecord.write(model.optimizer());
        return new ModelState(model.name(), JSON.writeValueAsString(SpecJson.of(model.spec())), model.root().isTraining(),
                model.generator().state(), requiresGrad, stateDict, optimizer == null ? null : optimizer.json(),
                optimizer == null ? null : optimizer.state());
    }

    // ---- lookups

    /** The model, from memory or (its handle now, its contents at first use) from the store. */
    public LiveModel get(String id) {
        LiveModel model = models.get(id);
        if (model != null) {
            return model;
        }
        ModelSummary summary = store.find(id).orElseThrow(() -> notFound(id));
        return models.computeIfAbsent(id, key -> new LiveModel(id, summary.owner(), summary.createdAt(), summary.version(),
                summary.updatedAt(), summary.name(), null, this));
    }

    /** The model, for a change: 404 for an unknown one, then 403 unless the caller may change it ({@link Ownership}). */
    public LiveModel forChange(String id) {
        LiveModel model = get(id);
        Ownership.checkChange(model);
        return model;
    }

    private static NotFoundException notFound(String id) {
        return new NotFoundException("model", "no model with id \"" + id + "\"");
    }

    /** A page of the stored models, oldest first; {@code after} is the previous page's cursor. */
    public Page<ModelSummary> list(int limit, String after) {
        return store.list(limit, after);   // every change of a name or a count is committed, so the store is current
    }

    public void delete(String id) {
        LiveModel model = get(id);
        Ownership.checkDelete("model", id);
        model.checkNotHeld();   // a running job's model is deleted after the job ends (or is cancelled)
        if (!store.delete(id)) {
            throw notFound(id);
        }
        forget(id);
    }

    /**
     * Drops the model's handle, contents and spilled gradients, not its stored state: another instance holds
     * it now, or may have changed it since this one last did (its next use here loads it from the store).
     */
    public void forget(String id) {
        LiveModel model = models.remove(id);
        if (model != null) {
            synchronized (this) {
                Long held = reserved.remove(model);
                parametersHeld -= held == null ? 0 : held;
            }
        }
        spill.forget(id);
    }

    /** {@link #forget} for every model in memory. */
    public void forgetAll() {
        List.copyOf(models.keySet()).forEach(this::forget);
    }

    public synchronized long parametersHeld() {
        return parametersHeld;
    }

    public int modelCount() {
        return Math.toIntExact(store.count());
    }
}
