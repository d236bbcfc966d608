package io.paramlab.jobs;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A job as the API answers it: {@code epoch} and {@code step} count completed ones, {@code loss} is
 * the last step's, {@code error} a problem (type, title, status, detail) or null, {@code settings}
 * the loop's settings as it runs them (defaults filled in, the model's optimizer spec at submission).
 */
public record JobView(String id, String modelId, String status, int epoch, long step, long totalSteps, Double loss,
                      Instant createdAt, Instant startedAt, Instant finishedAt, Map<String, Object> error, JobRequest.Settings settings) {

    /** {@code GET /jobs/{job}/history}: per step the loss and the groups' lrs, per epoch the mean and validation. */
    public record History(List<Double> stepLoss, List<Double> epochLoss, List<List<Number>> lr, List<Double> valLoss,
                          List<Double> valAccuracy) {
    }

    boolean finished() {
        return !status.equals("queued") && !status.equals("running");
    }
}
