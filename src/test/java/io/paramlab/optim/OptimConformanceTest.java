package io.paramlab.optim;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The optim_* and train_* cases that PyTorch 1.13 computed, run on the engine (no HTTP). */
class OptimConformanceTest {

    static Stream<Arguments> optimCases() throws Exception {
        return OptimCases.cases("optim");
    }

    static Stream<Arguments> trainCases() throws Exception {
        return OptimCases.cases("train");
    }

    @ParameterizedTest
    @MethodSource("optimCases")
    void optimCaseMatchesPyTorch(JsonNode c) {
        Module model = CaseModels.build(c.get("create"));
        CaseModels.load(model, c.get("state_dict"));
        OptimizerSetup setup = OptimizerSetup.fromSpec(OptimCases.map(c.get("optimizer")), model);
        Optimizer optimizer = setup.optimizer();
        int n = 0;
        for (JsonNode step : c.get("steps")) {
            String what = "step " + n++ + " (" + step.get("op").stringValue() + ")";
            JsonNode expect = step.get("expect");
            switch (step.get("op").stringValue()) {
                case "backward" -> OptimCases.assertClose(what + " loss", expect.get("loss").doubleValue(), backward(model, step));
                case "zero_grad" -> optimizer.zeroGrad();
                case "step" -> {
                    optimizer.step();
                    OptimCases.assertStateDict(what, expect.get("state_dict"), model.stateDict());
                }
                case "train_step" -> {
                    optimizer.zeroGrad();
                    OptimCases.assertClose(what + " loss", expect.get("loss").doubleValue(), backward(model, step));
                    optimizer.step();
                    OptimCases.assertStateDict(what, expect.get("state_dict"), model.stateDict());
                }
                case "scheduler_step" -> {
                    setup.scheduler().step();
                    assertLrs(what, expect.get("lr"), setup.lrs());
                }
                default -> throw new AssertionError("unknown op " + step.get("op"));
            }
        }
        OptimCases.assertPlain("optimizer.state_dict()", c.get("expect_optimizer_state_dict"), optimizer.stateDict());
        OptimCases.assertStateDict("state_dict after", c.get("expect_state_dict_after"), model.stateDict());
    }

    /** The canonical loop of API.md's Jobs section with {@link DataLoaderOrder}. */
    @ParameterizedTest
    @MethodSource("trainCases")
    void trainCaseMatchesPyTorch(JsonNode c) {
        Module model = CaseModels.build(c.get("create"));
        CaseModels.load(model, c.get("state_dict"));
        OptimizerSetup setup = OptimizerSetup.fromSpec(OptimCases.map(c.get("optimizer")), model);
        JsonNode job = c.get("job");
        Tensor x = CaseModels.tensor(c.get("data").get("input"));
        Tensor y = CaseModels.tensor(c.get("data").get("target"));
        String schedulerStep = job.has("scheduler_step") ? job.get("scheduler_step").stringValue() : "epoch";
        Generator g = new Generator(job.has("seed") ? job.get("seed").longValue() : 0);
        DataLoaderOrder loader = new DataLoaderOrder(x.shape()[0], job.get("batch_size").intValue(),
                !job.has("shuffle") || job.get("shuffle").booleanValue(),
                job.has("drop_last") && job.get("drop_last").booleanValue(), g);
        List<Double> stepLoss = new ArrayList<>();
        List<Double> epochLoss = new ArrayList<>();
        List<List<Number>> lrs = new ArrayList<>();
        for (int epoch = 0; epoch < job.get("epochs").intValue(); epoch++) {
            double sum = 0;
            List<int[]> batches = loader.nextEpoch();
            for (int[] batch : batches) {
                setup.optimizer().zeroGrad();
                Tensor loss = CaseModels.loss(job.get("loss").stringValue(), model.forward(CaseModels.rows(x, batch)),
                        CaseModels.rows(y, batch));
                loss.backward();
                setup.optimizer().step();
                stepLoss.add((double) loss.item());
                sum += loss.item();
                lrs.add(setup.lrs());
                if (setup.hasScheduler() && schedulerStep.equals("step")) setup.scheduler().step();
            }
            if (setup.hasScheduler() && schedulerStep.equals("epoch")) setup.scheduler().step();
            epochLoss.add(sum / batches.size());
        }
        JsonNode expect = c.get("expect");
        assertThat(stepLoss).as("step count").hasSize(expect.get("step_loss").size());
        for (int i = 0; i < stepLoss.size(); i++) {
            OptimCases.assertClose("step_loss[" + i + "]", expect.get("step_loss").get(i).doubleValue(), stepLoss.get(i));
            assertLrs("lr[" + i + "]", expect.get("lr").get(i), lrs.get(i));
        }
        for (int i = 0; i < epochLoss.size(); i++) {
            OptimCases.assertClose("epoch_loss[" + i + "]", expect.get("epoch_loss").get(i).doubleValue(), epochLoss.get(i));
        }
        OptimCases.assertStateDict("final state_dict", expect.get("state_dict"), model.stateDict());
    }

    private static double backward(Module model, JsonNode step) {
        Tensor output = model.forward(CaseModels.tensor(step.get("input")));
        Tensor target = step.has("target") ? CaseModels.tensor(step.get("target")) : null;
        Tensor loss = CaseModels.loss(step.get("loss").stringValue(), output, target);
        loss.backward();
        return loss.item();
    }

    /** Lrs are Python doubles computed in the same order: equal to the last bits or nearly. */
    private static void assertLrs(String what, JsonNode expected, List<Number> actual) {
        assertThat(actual).as(what).hasSize(expected.size());
        for (int i = 0; i < actual.size(); i++) {
            double e = expected.get(i).doubleValue();
            assertThat(actual.get(i).doubleValue()).as(what + "[" + i + "]").isCloseTo(e, org.assertj.core.data.Offset.offset(1e-15 * Math.abs(e)));
        }
    }
}
