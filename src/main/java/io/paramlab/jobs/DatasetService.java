package io.paramlab.jobs;

import io.paramlab.model.ConflictException;
import io.paramlab.model.NotFoundException;
import io.paramlab.model.Ownership;
import io.paramlab.model.ParamlabLimits;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.store.JobStore;
import io.paramlab.store.JobStore.DatasetRecord;
import org.springframework.stereotype.Service;

import java.util.List;
import java.util.Map;

/** Datasets: {@code input} and {@code target} sharing their first dimension, kept in the store. */
@Service
public class DatasetService {
    private final JobStore store;
    private final UnstoredEnds unstored;
    private final long maxElements;

    DatasetService(JobStore store, UnstoredEnds unstored, ParamlabLimits limits) {
        this.store = store;
        this.unstored = unstored;
        this.maxElements = limits.maxDatasetElements();
    }

    public DatasetRecord create(String name, TensorData input, TensorData target) {
        Ownership.checkCreate("dataset");
        check("", input, target);
        return store.createDataset(name, input, target);
    }

    public List<DatasetRecord> list() {
        return store.listDatasets();
    }

    public DatasetRecord get(String id) {
        return store.findDataset(id).orElseThrow(() -> notFound(id));
    }

    public void delete(String id) {
        Ownership.checkDelete("dataset", id);
        get(id);
        if (!unstored.active(store.jobsUsingDataset(id)).isEmpty()) {
            throw new ConflictException("dataset-in-use", "dataset " + id + " is used by a queued or running job; "
                    + "delete it when the job has ended (or cancel the job)");
        }
        if (!store.deleteDataset(id)) {
            throw notFound(id);
        }
    }

    /** The tensors of a stored dataset: {@code [input, target]}. */
    TensorData[] load(String id) {
        Map<String, TensorData> tensors = store.loadDataset(id).orElseThrow(() -> notFound(id));
        return new TensorData[] {tensors.get("input"), tensors.get("target")};
    }

    static NotFoundException notFound(String id) {
        return new NotFoundException("dataset", "no dataset with id \"" + id + "\"");
    }

    /** Both present, at least one dimension each, the same first dimension, within max-dataset-elements. */
    void check(String field, TensorData input, TensorData target) {
        String at = field.isEmpty() ? "" : field + ".";
        if (input == null) {
            throw new InvalidInputException(at + "input", "a dataset needs an input tensor");
        }
        if (target == null) {
            throw new InvalidInputException(at + "target", "a dataset needs a target tensor");
        }
        if (input.shape().length == 0 || target.shape().length == 0) {
            throw new InvalidInputException(input.shape().length == 0 ? at + "input" : at + "target",
                    "must have at least one dimension (the samples), got a 0-d tensor");
        }
        if (input.shape()[0] != target.shape()[0]) {
            throw new InvalidInputException(at + "target", "Size mismatch between tensors: input has " + input.shape()[0]
                    + " samples, target " + target.shape()[0] + " (TensorDataset needs the same first dimension)");
        }
        if (input.shape()[0] == 0) {
            throw new InvalidInputException(at + "input", "a dataset needs at least one sample");
        }
        long elements = (long) input.numel() + target.numel();
        if (elements > maxElements) {
            throw new LimitExceededException(at + "input", "max-dataset-elements", elements, maxElements,
                    "the dataset has " + elements + " elements (input and target), over the limit of " + maxElements
                            + " (paramlab.limits.max-dataset-elements)");
        }
    }
}
