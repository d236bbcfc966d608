package io.paramlab.model;

import io.paramlab.spec.LimitExceededException;
import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.spec.SpecSize;
import io.paramlab.tensor.Blas;
import io.paramlab.tensor.Generator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live models. Lookups never lock (a concurrent map), so requests on different models never
 * wait on each other; the model count and the parameter budget are reserved under one monitor.
 */
@Service
public class ModelRegistry {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private final Map<String, LiveModel> models = new ConcurrentHashMap<>();
    private final Map<LiveModel, Long> reserved = new IdentityHashMap<>();   // guarded by this
    private final ParamlabLimits limits;
    private long parametersHeld;
    private int modelsHeld;

    public ModelRegistry(ParamlabLimits limits) {
        this.limits = limits;
        log.info("BLAS: {}", Blas.describe());   // loads the BLAS now, not on the first request
    }

    public LiveModel create(JsonNode body) {
        ModelSpec spec = SpecParser.parse(body, limits.maxDepth());
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
        reserve(size.elementCount(), true);
        try {
            Generator generator = spec.seed() != null ? new Generator(spec.seed()) : Generator.withRandomSeed();
            LiveModel model = new LiveModel(UUID.randomUUID().toString(), spec, ModuleFactory.build(spec, generator), generator,
                    this::committed);
            // what is reachable now is what the model holds: shared entries no layer refers to are not
            long held = model.elementsHeld();
            synchronized (this) {
                reserved.put(model, size.elementCount());
                adjust(model, held);
            }
            models.put(model.id(), model);
            return model;
        } catch (RuntimeException | Error e) {
            release(size.elementCount(), true);
            throw e;
        }
    }

    /** After each committed change: a lazy layer's first forward or load adds parameters, which must fit the budget. */
    private void committed(LiveModel model, String operation) {
        long held = model.elementsHeld();
        if (held > limits.maxParametersPerModel()) {
            throw new LimitExceededException("model", "max-parameters-per-model", held, limits.maxParametersPerModel(),
                    "the model would hold " + held + " parameters and buffer elements, over the limit of "
                            + limits.maxParametersPerModel() + " per model (paramlab.limits.max-parameters-per-model)");
        }
        adjust(model, held);
    }

    /** Sets what {@code model} has reserved to {@code held}, refusing growth past the total budget. */
    private synchronized void adjust(LiveModel model, long held) {
        Long reservedBefore = reserved.get(model);
        if (reservedBefore == null) {
            return;   // deleted while the change ran: delete released it, so there is nothing to reserve again
        }
        long before = reservedBefore;
        if (held > before && parametersHeld + (held - before) > limits.maxTotalParameters()) {
            throw new LimitExceededException("model", "max-total-parameters", parametersHeld + (held - before), limits.maxTotalParameters(),
                    "the service holds " + parametersHeld + " parameters; " + (held - before) + " more would pass the limit of "
                            + limits.maxTotalParameters() + " (paramlab.limits.max-total-parameters)");
        }
        parametersHeld += held - before;
        reserved.put(model, held);
    }

    private synchronized void reserve(long parameters, boolean newModel) {
        if (newModel && modelsHeld >= limits.maxModels()) {
            throw new LimitExceededException("model", "max-models", modelsHeld + 1L, limits.maxModels(),
                    "the service already holds " + modelsHeld + " models, the limit (paramlab.limits.max-models); delete one first");
        }
        if (parametersHeld + parameters > limits.maxTotalParameters()) {
            throw new LimitExceededException("model", "max-total-parameters", parametersHeld + parameters, limits.maxTotalParameters(),
                    "the service holds " + parametersHeld + " parameters; " + parameters + " more would pass the limit of "
                            + limits.maxTotalParameters() + " (paramlab.limits.max-total-parameters)");
        }
        parametersHeld += parameters;
        modelsHeld += newModel ? 1 : 0;
    }

    private synchronized void release(long parameters, boolean model) {
        parametersHeld -= parameters;
        modelsHeld -= model ? 1 : 0;
    }

    public LiveModel get(String id) {
        LiveModel model = models.get(id);
        if (model == null) {
            throw new NotFoundException("model", "no model with id \"" + id + "\"");
        }
        return model;
    }

    public List<LiveModel> list() {
        return models.values().stream().sorted(Comparator.comparing(LiveModel::createdAt)).toList();
    }

    public void delete(String id) {
        LiveModel model = models.remove(id);
        if (model == null) {
            throw new NotFoundException("model", "no model with id \"" + id + "\"");
        }
        synchronized (this) {
            release(reserved.remove(model), true);   // exactly what it reserved
        }
    }

    public synchronized long parametersHeld() {
        return parametersHeld;
    }

    public int modelCount() {
        return models.size();
    }

    Collection<LiveModel> all() {
        return models.values();
    }
}
