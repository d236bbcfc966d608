package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorStats;
import io.paramlab.nn.spectra.Spectra;
import io.paramlab.nn.spectra.SpectraWorkException;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.tensor.Tensor;
import io.paramlab.tensor.UninitializedParameterException;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spectra (API.md "Spectra") of a model's module or of any tensors (a stored state dict's), with the
 * request's rules around {@link Spectra#compute}: the parameters checked, the work weighed against
 * {@code paramlab.limits.max-spectra-work} before anything is read, a model's read lock held only
 * while its values are copied (never during the singular values), and the answers cached per model
 * version (a state dict's never change) in a cache bounded by the numbers it holds.
 */
@Service
public class SpectraService {
    /** About 32 MB of answers: each layer costs its esd (2·bins + 1 numbers) and some 20 more. */
    static final long CACHE_CELLS = 4_000_000;
    private final long maxWork;
    private final long maxElements;
    private final Cache cache = new Cache(CACHE_CELLS);

    public SpectraService(ParamlabLimits limits) {
        this.maxWork = limits.maxSpectraWork();
        this.maxElements = limits.maxActivationElements();
    }

    /** A model's spectra and the version they describe; {@code version} is null while a job holds the model (no ETag then). */
    public record ModelSpectra(Spectra.Result result, Long version) {
    }

    /**
     * {@code GET /models/{id}/spectra?module=&bins=&min_evals=}: net[module]'s parameters in
     * {@code named_parameters} order (a tied one once, names relative to the module).
     */
    public ModelSpectra ofModel(LiveModel model, String module, int bins, int minEvals) {
        checkParameters(bins, minEvals);
        Copied copied = model.read(() -> {
            Module m = ModelOperations.module(model, module);
            boolean held = model.heldBy() != null;
            Key key = new Key("model:" + model.id(), model.version(), module, bins, minEvals);
            Spectra.Result cached = held ? null : cache.get(key);
            if (cached != null) {
                return new Copied(key, held, List.of(), cached);
            }
            List<Spectra.Candidate> shapes = new ArrayList<>();
            Map<String, Tensor> parameters = m.namedParameters();
            parameters.forEach((name, p) -> {
                if (!p.isInitialized()) {
                    throw new UnprocessableException("", name + ": " + new UninitializedParameterException("spectra").getMessage());
                }
                shapes.add(Spectra.Candidate.ofFloats(name, p.shape(), p.data()));
            });
            weigh(shapes, minEvals, "module");   // before a value is copied
            long copiedElements = 0;
            long largest = 0;
            for (Spectra.Candidate c : shapes) {
                if (analysed(c, minEvals)) {
                    long numel = parameters.get(c.name()).numel();
                    copiedElements += numel;
                    largest = Math.max(largest, numel);
                }
            }
            charge(copiedElements, largest, "module");
            List<Spectra.Candidate> copies = new ArrayList<>();
            for (Spectra.Candidate c : shapes) {
                boolean analysed = analysed(c, minEvals);
                // only what will be analysed is copied; the rest keeps its (unread) live reader
                copies.add(analysed ? Spectra.Candidate.ofFloats(c.name(), c.shape(), parameters.get(c.name()).data().clone()) : c);
            }
            return new Copied(key, held, copies, null);
        });
        if (copied.cached() != null) {
            return new ModelSpectra(copied.cached(), copied.key().version());
        }
        Spectra.Result result = compute(copied.candidates(), bins, minEvals, "module");
        if (copied.held()) {
            return new ModelSpectra(result, null);
        }
        cache.put(copied.key(), result);
        return new ModelSpectra(result, copied.key().version());
    }

    /**
     * The spectra of any tensors, for a resource whose values never change under {@code subject}
     * (a state dict: {@code "state-dict:" + id}); {@code scope} is what selected them (the prefix) and
     * {@code field} the query parameter a 413 names. Cached by (subject, scope, bins, minEvals).
     * The candidates' readers are called one at a time, only for the tensors analysed, after the
     * work was weighed and the largest tensor's float64 copies charged against max-activation-elements;
     * {@code candidates} must be in file order, a tied key flagged.
     */
    public Spectra.Result ofTensors(String subject, String scope, List<Spectra.Candidate> candidates, int bins, int minEvals,
                                    String field) {
        checkParameters(bins, minEvals);
        Key key = new Key(subject, 0, scope, bins, minEvals);
        Spectra.Result cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        long largest = 0;
        for (Spectra.Candidate c : candidates) {
            if (!c.tied() && Spectra.FLOAT_DTYPES.contains(c.dtype()) && analysed(c, minEvals)) {
                long numel = 1;
                for (int d : c.shape()) {
                    numel *= d;
                }
                largest = Math.max(largest, numel);
            }
        }
        weigh(candidates, minEvals, field);
        charge(0, largest, field);
        Spectra.Result result = compute(candidates, bins, minEvals, field);
        cache.put(key, result);
        return result;
    }

    /** Forgets what is cached for a subject (a deleted state dict or model); versions make it optional for models. */
    public void forget(String subject) {
        cache.forget(subject);
    }

    /** 400 naming the field unless bins is 1..1000 and min_evals at least 1. */
    public static void checkParameters(int bins, int minEvals) {
        try {
            TensorStats.checkBins(bins);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("bins", e.getMessage());
        }
        try {
            Spectra.checkMinEvals(minEvals);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("min_evals", e.getMessage());
        }
    }

    private static boolean analysed(Spectra.Candidate c, int minEvals) {
        return c.shape().length >= 2 && Math.min(c.shape()[0], c.shape()[1]) >= minEvals;
    }

    /**
     * The memory a request holds, in float32 elements, against {@code paramlab.limits.max-activation-elements}
     * (what one request may allocate): the float32 copies of a model's analysed parameters, and one
     * tensor at a time as float64 values plus a float64 slice for LAPACK (4 floats an element).
     */
    private void charge(long copiedElements, long largest, String field) {
        long elements = copiedElements + 4 * largest;
        if (elements > maxElements) {
            throw new LimitExceededException(field, "max-activation-elements", elements, maxElements, "the spectra would hold "
                    + elements + " float32 elements at once (" + copiedElements + " copied, and 4 per element of the largest "
                    + "tensor, " + largest + ", while it is analysed), over the limit of " + maxElements
                    + " (paramlab.limits.max-activation-elements)");
        }
    }

    private Spectra.Result compute(List<Spectra.Candidate> candidates, int bins, int minEvals, String field) {
        weigh(candidates, minEvals, field);
        return Spectra.compute(candidates, bins, minEvals, maxWork);
    }

    private void weigh(List<Spectra.Candidate> candidates, int minEvals, String field) {
        try {
            Spectra.work(candidates, minEvals, maxWork);
        } catch (SpectraWorkException e) {
            throw new LimitExceededException(field, "max-spectra-work", e.work(), e.maxWork(), "the spectra would cost "
                    + e.work() + " (Σ n·m² over the matrices) by layer \"" + e.layer() + "\", over the limit of "
                    + e.maxWork() + " (paramlab.limits.max-spectra-work)");
        }
    }

    private record Copied(Key key, boolean held, List<Spectra.Candidate> candidates, Spectra.Result cached) {
    }

    record Key(String subject, long version, String scope, int bins, int minEvals) {
    }

    /** A least-recently-used map bounded by the numbers its answers hold. */
    static final class Cache {
        private final long maxCells;
        private final LinkedHashMap<Key, Spectra.Result> entries = new LinkedHashMap<>(16, 0.75f, true);
        private long cells;

        Cache(long maxCells) {
            this.maxCells = maxCells;
        }

        synchronized Spectra.Result get(Key key) {
            return entries.get(key);
        }

        synchronized void put(Key key, Spectra.Result result) {
            long size = cells(result);
            if (size > maxCells) {
                return;
            }
            Spectra.Result before = entries.put(key, result);
            cells += size - (before == null ? 0 : cells(before));
            Iterator<Map.Entry<Key, Spectra.Result>> eldest = entries.entrySet().iterator();
            while (cells > maxCells && eldest.hasNext()) {
                Map.Entry<Key, Spectra.Result> e = eldest.next();
                cells -= cells(e.getValue());
                eldest.remove();
            }
        }

        synchronized void forget(String subject) {
            Iterator<Map.Entry<Key, Spectra.Result>> it = entries.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Key, Spectra.Result> e = it.next();
                if (e.getKey().subject().equals(subject)) {
                    cells -= cells(e.getValue());
                    it.remove();
                }
            }
        }

        synchronized int size() {
            return entries.size();
        }

        static long cells(Spectra.Result result) {
            long cells = 10 + 4L * result.skipped().size();
            for (Spectra.Layer layer : result.layers()) {
                cells += 24 + layer.esd().edges().length + layer.esd().counts().length;
            }
            return cells;
        }
    }
}
