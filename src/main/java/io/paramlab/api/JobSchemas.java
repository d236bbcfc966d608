package io.paramlab.api;

import io.paramlab.model.Loss;
import io.swagger.v3.oas.models.media.Schema;

import java.util.Map;

import static io.paramlab.api.ApiSchemas.array;
import static io.paramlab.api.ApiSchemas.bool;
import static io.paramlab.api.ApiSchemas.count;
import static io.paramlab.api.ApiSchemas.integer;
import static io.paramlab.api.ApiSchemas.nullable;
import static io.paramlab.api.ApiSchemas.object;
import static io.paramlab.api.ApiSchemas.oneOf;
import static io.paramlab.api.ApiSchemas.opt;
import static io.paramlab.api.ApiSchemas.positive;
import static io.paramlab.api.ApiSchemas.ref;
import static io.paramlab.api.ApiSchemas.req;
import static io.paramlab.api.ApiSchemas.string;
import static io.paramlab.api.ApiSchemas.strings;
import static io.paramlab.api.ApiSchemas.type;

/** The datasets' and jobs' components of the OpenAPI document (API.md "Datasets", "Jobs"). */
final class JobSchemas {
    private JobSchemas() {
    }

    @SuppressWarnings("rawtypes")
    static void jobs(Map<String, Schema> out) {
        Schema<?> shape = array(count());
        Schema<?> time = string().format("date-time");
        Schema<?> value = type("number", "string", "null").description("a number; NaN and infinities as strings");
        out.put(ApiSchemas.DATASET, object("A dataset: TensorDataset(input, target)", req("id", string()),
                req("name", nullable(string())), req("size", count().description("the first dimension: samples")),
                req("input_shape", shape), req("target_shape", shape), req("target_dtype", strings(null, "float32", "int64")),
                req("bytes", count()), req("created_at", time)));
        out.put(ApiSchemas.DATASET_INPUT, object("A dataset to upload", opt("name", nullable(string())),
                req("input", ref("TensorInput")), req("target", ref("TensorInput"))));
        out.put("JobData", object("Inline data", req("input", ref("TensorInput")), req("target", ref("TensorInput"))));
        Schema<?> data = oneOf(object("A stored dataset", req("dataset", string())), object("Inline data", req("data", ref("JobData"))));
        out.put(ApiSchemas.JOB_REQUEST, object("The canonical loop's settings; either dataset or data",
                opt("dataset", string().description("a dataset's id")), opt("data", ref("JobData")),
                req("loss", strings(null, names())),
                req("epochs", positive(5)), req("batch_size", positive(32)), opt("shuffle", bool(true)),
                opt("seed", integer(0).format("int64")), opt("drop_last", bool(false)),
                opt("scheduler_step", strings("epoch", "step", "epoch", "none")),
                opt("checkpoint_every", integer(0).description("epochs; 0: none")),
                opt("validation", nullable(data).description("evaluated in eval mode under no_grad after each epoch"))));
        out.put(ApiSchemas.JOB, object("A training job", req("id", string()), req("model_id", string()),
                req("status", strings(null, "queued", "running", "succeeded", "failed", "cancelled", "interrupted")),
                req("epoch", count().description("completed epochs")), req("step", count().description("completed steps")),
                req("total_steps", count()), req("loss", nullable(value).description("the last step's loss")),
                req("created_at", time), req("started_at", nullable(time)), req("finished_at", nullable(time)),
                req("error", nullable(ref(ApiSchemas.PROBLEM))),
                req("settings", object("The loop's settings as the job runs them: the data as dataset ids, defaults filled in",
                        req("dataset", string()), req("validation", nullable(string())), req("loss", strings(null, names())),
                        req("epochs", positive(5)), req("batch_size", positive(32)), req("shuffle", bool(true)),
                        req("seed", integer(0).format("int64")), req("drop_last", bool(false)),
                        req("scheduler_step", strings("epoch", "step", "epoch", "none")), req("checkpoint_every", integer(0)),
                        req("optimizer", nullable(type("object")).description("the model's optimizer spec when the job was submitted"))))));
        out.put(ApiSchemas.JOB_HISTORY, object("A job's history",
                req("step_loss", array(nullable(value))), req("epoch_loss", array(nullable(value))),
                req("lr", array(array(type("number"))).description("per step, the lr of each param group that step used")),
                req("val_loss", array(nullable(value))), req("val_accuracy", array(nullable(value)))));
    }

    private static String[] names() {
        return java.util.Arrays.stream(Loss.values()).map(Loss::apiName).toArray(String[]::new);
    }
}
