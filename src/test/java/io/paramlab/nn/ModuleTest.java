package io.paramlab.nn;

import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The module walks and reprs against what PyTorch 1.13 prints for the same modules. */
class ModuleTest {
    private final Generator generator = new Generator(0);

    private Sequential tied() {
        Linear shared = new Linear(8, 8, true, generator);
        return new Sequential().add("0", new Linear(4, 8, true, generator)).add("1", Activation.ReLU.module())
                .add("2", shared).add("3", Activation.ReLU.module()).add("4", shared).add("5", Activation.ReLU.module())
                .add("6", new Linear(8, 1, true, generator));
    }

    @Test
    void tiedParametersAppearOnceInNamedParametersAndUnderEveryKeyInStateDict() {
        Sequential net = tied();
        assertThat(net.namedParameters().keySet()).containsExactly("0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias");
        assertThat(net.stateDict().keySet()).containsExactly("0.weight", "0.bias", "2.weight", "2.bias",
                "4.weight", "4.bias", "6.weight", "6.bias");
        assertThat(net.allParameterNames().get("4.weight")).isSameAs(net.allParameterNames().get("2.weight"));
        assertThat(net.namedModules().keySet()).containsExactly("", "0", "1", "2", "3", "5", "6");
    }

    @Test
    void applyVisitsAModuleHeldTwiceByOneParentOnceChildrenFirst() {
        Sequential net = tied();
        List<String> order = new ArrayList<>();
        net.apply(m -> order.add(m.typeName()));
        assertThat(order).containsExactly("Linear", "ReLU", "Linear", "ReLU", "ReLU", "Linear", "Sequential");
    }

    @Test
    void applyVisitsAModuleOnceUnderEachOfItsParents() {
        // Sequential(b, s, b) where b holds s: PyTorch 1.13 reaches s inside b and again as a direct child
        Linear s = new Linear(2, 2, true, generator);
        Sequential b = new Sequential().add("0", s);
        Sequential net = new Sequential().add("0", b).add("1", s).add("2", b);
        List<Module> order = new ArrayList<>();
        net.apply(order::add);
        assertThat(order).containsExactly(s, b, s, net);
    }

    @Test
    void buffersAreInStateDictButNotInParameters() {
        Sequential net = new Sequential().add("0", new Linear(5, 8, true, generator))
                .add("1", new BatchNorm(1, 8, 1e-5, 0.1, true, true));
        assertThat(net.stateDict().keySet()).containsExactly("0.weight", "0.bias", "1.weight", "1.bias",
                "1.running_mean", "1.running_var", "1.num_batches_tracked");
        assertThat(net.stateDict().get("1.num_batches_tracked").dtype()).isEqualTo("int64");
        assertThat(net.namedParameters()).hasSize(4);
    }

    @Test
    void reprsAreWhatPyTorchPrints() {
        // print(nn.Sequential(nn.Linear(4, 8), nn.Sequential(nn.GELU(approximate='tanh'), nn.LeakyReLU(0.2)),
        //   nn.LayerNorm([3, 4]), nn.BatchNorm1d(8, momentum=None, affine=False, track_running_stats=False),
        //   nn.Dropout(0.3), nn.Flatten(), nn.Softmax(dim=1), nn.Linear(8, 1, bias=False), nn.Sequential()))
        Sequential net = new Sequential()
                .add("0", new Linear(4, 8, true, generator))
                .add("1", new Sequential().add("0", Stateless.gelu("tanh")).add("1", Stateless.leakyRelu(0.2)))
                .add("2", new LayerNorm(new int[] {3, 4}, 1e-5, true))
                .add("3", new BatchNorm(1, 8, 1e-5, null, false, false))
                .add("4", new Dropout(0.3, generator))
                .add("5", Stateless.flatten(1, -1))
                .add("6", Stateless.softmax(1))
                .add("7", new Linear(8, 1, false, generator))
                .add("8", new Sequential());
        assertThat(net.repr()).isEqualTo("""
                Sequential(
                  (0): Linear(in_features=4, out_features=8, bias=True)
                  (1): Sequential(
                    (0): GELU(approximate='tanh')
                    (1): LeakyReLU(negative_slope=0.2)
                  )
                  (2): LayerNorm((3, 4), eps=1e-05, elementwise_affine=True)
                  (3): BatchNorm1d(8, eps=1e-05, momentum=None, affine=False, track_running_stats=False)
                  (4): Dropout(p=0.3, inplace=False)
                  (5): Flatten(start_dim=1, end_dim=-1)
                  (6): Softmax(dim=1)
                  (7): Linear(in_features=8, out_features=1, bias=False)
                  (8): Sequential()
                )""");
    }

    @Test
    void pythonFloatReprs() {
        // [repr(x) for x in (1e-05, 0.001, 0.3, 0.1 + 0.2, 1e-20, 1.2345678901234568e+17, 5.0, 1e16, 123.0)]
        assertThat(List.of(1e-5, 0.001, 0.3, 0.1 + 0.2, 1e-20, 1.2345678901234568e+17, 5.0, 1e16, 123.0).stream()
                .map(PyRepr::floating).toList())
                .containsExactly("1e-05", "0.001", "0.3", "0.30000000000000004", "1e-20", "1.2345678901234568e+17",
                        "5.0", "1e+16", "123.0");
    }

    @Test
    void trainAndEvalReachEverySubmodule() {
        Sequential net = tied();
        net.train(false);
        net.namedModules().values().forEach(m -> assertThat(m.isTraining()).isFalse());
        Tensor w = net.namedParameters().get("0.weight");
        assertThat(w.shape()).containsExactly(8, 4);
    }
}
