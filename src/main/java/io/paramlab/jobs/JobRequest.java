package io.paramlab.jobs;

import io.paramlab.nn.TensorData;

import java.util.Map;

/**
 * The body of {@code POST /models/{id}/jobs}: the canonical loop's settings, PyTorch's defaults
 * for those left out ({@link #settled}).
 */
public record JobRequest(String dataset, Data data, String loss, Integer epochs, Integer batchSize, Boolean shuffle, Long seed,
                         Boolean dropLast, String schedulerStep, Integer checkpointEvery, Validation validation) {

    /** Inline tensors: {@code TensorDataset(input, target)}. */
    public record Data(TensorData input, TensorData target) {
    }

    /** A validation set: a dataset's id or inline data. */
    public record Validation(String dataset, Data data) {
    }

    /**
     * What a job stores and runs: the data replaced by dataset ids, every default filled in, and the
     * model's optimizer spec as it was set when the job was submitted (null for a job stored before
     * jobs recorded it); the job answers it as its {@code settings}.
     */
    public record Settings(String dataset, String validation, String loss, int epochs, int batchSize, boolean shuffle, long seed,
                           boolean dropLast, String schedulerStep, int checkpointEvery, Map<String, Object> optimizer) {
    }

    Settings settled(String datasetId, String validationId, Map<String, Object> optimizer) {
        return new Settings(datasetId, validationId, loss, epochs, batchSize, shuffle == null || shuffle, seed == null ? 0 : seed,
                dropLast != null && dropLast, schedulerStep == null ? "epoch" : schedulerStep,
                checkpointEvery == null ? 0 : checkpointEvery, optimizer);
    }
}
