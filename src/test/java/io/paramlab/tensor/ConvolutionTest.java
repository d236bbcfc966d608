package io.paramlab.tensor;

import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Convolution, padding, pooling, batch/group norm and the activations against PyTorch 1.13: inputs
 * on a grid of 1/8, the loss sum(y * c) for fixed coefficients c, and checksums sum(t * c) of the
 * output and of every gradient. The expected numbers are printed by scripts/conv_reference.py
 * (/usr/bin/python3, Debian's python3-torch), which builds the same inputs.
 */
class ConvolutionTest {

    static Tensor grid(int a, int b, int... shape) {
        float[] v = new float[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (((long) i * a % b - b / 2) / 8.0);
        return Tensor.parameter(v, shape);
    }

    private static double coef(int i) {
        return ((i * 37L) % 17 - 8) / 8.0;
    }

    static double checksum(float[] t) {
        double s = 0;
        for (int i = 0; i < t.length; i++) s += t[i] * coef(i);
        return s;
    }

    /** Runs f, backpropagates sum(y * c), and checks the output's shape and every checksum. */
    static void check(Function<Tensor[], Tensor> f, int[] shape, double y, double[] grads, Tensor... inputs) {
        Tensor out = f.apply(inputs);
        assertThat(out.shape()).containsExactly(shape);
        float[] c = new float[out.numel()];
        for (int i = 0; i < c.length; i++) c[i] = (float) coef(i);
        Tensor loss = Functional.linear(Functional.flatten(out, 0, -1), Tensor.of(c, 1, c.length), null);
        loss.backward();
        double tol = 1e-4 * (1 + Math.abs(y));
        assertThat(checksum(out.data())).as("output").isCloseTo(y, within(tol));
        for (int i = 0; i < grads.length; i++) {
            assertThat(checksum(inputs[i].grad())).as("gradient " + i).isCloseTo(grads[i], within(1e-4 * (1 + Math.abs(grads[i]))));
        }
    }

    @Test
    void groupedStridedDilatedPaddedConv2d() {
        check(t -> Convolution.conv(t[0], t[1], t[2], new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}, 2),
                new int[] {2, 6, 4, 8}, 2.7734375, new double[] {-6.70703125, -0.05859375, 0.265625},
                grid(7, 13, 2, 4, 7, 6), grid(5, 11, 6, 2, 3, 2), grid(3, 7, 6));
    }

    @Test
    void depthwiseConv2dTakesTheDirectPath() {
        check(t -> Convolution.conv(t[0], t[1], t[2], new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 3),
                new int[] {2, 6, 3, 3}, -4.298828125, new double[] {1.78125, -0.013671875, 0.65625},
                grid(7, 13, 2, 3, 6, 6), grid(5, 11, 6, 1, 3, 3), grid(3, 7, 6));
    }

    @Test
    void depthwiseConv2dOfStrideOneRunsOnThePaddedGrid() {
        int[][] same = Convolution.samePadding(new int[] {3, 4}, new int[] {2, 1});
        check(t -> Convolution.conv(t[0], t[1], t[2], new int[] {1, 1}, same[0], same[1], new int[] {2, 1}, 2),
                new int[] {2, 4, 7, 6}, 1.501953125, new double[] {-11.294921875, -5.224609375, 1.078125},
                grid(7, 13, 2, 2, 7, 6), grid(5, 11, 4, 1, 3, 4), grid(3, 7, 4));
        check(t -> Convolution.conv(t[0], t[1], null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 3),
                new int[] {3, 3, 9, 9}, -7.32421875, new double[] {27.275390625, 12.87109375},
                grid(7, 13, 3, 3, 9, 9), grid(5, 11, 3, 1, 3, 3));
    }

    @Test
    void pointwiseConv2dNeedsNoIm2col() {
        check(t -> Convolution.conv(t[0], t[1], null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1),
                new int[] {2, 3, 5, 5}, -1.373046875, new double[] {-3.58203125, -4.173828125},
                grid(7, 13, 2, 4, 5, 5), grid(5, 11, 3, 4, 1, 1));
    }

    @Test
    void sizableConv2dGoesThroughBlas() {
        check(t -> Convolution.conv(t[0], t[1], t[2], new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1),
                new int[] {2, 8, 20, 20}, 5.287109375, new double[] {138.263671875, -5.2421875, -0.78125},
                grid(7, 13, 2, 3, 20, 20), grid(5, 11, 8, 3, 3, 3), grid(3, 7, 8));
    }

    /**
     * Large planes go a tile of output rows at a time (im2col, the products, col2im): the same output
     * and gradients as the whole plane at once, up to float summation order (dW sums over the tiles).
     */
    @Test
    void tiledConvolutionMatchesTheWholePlane() {
        record Conv(int[] x, int[] w, int[] stride, int[] padLow, int[] padHigh, int[] dilation, boolean inputGrad) {
        }
        int[] one = {1, 1};
        for (Conv c : new Conv[] {
            new Conv(new int[] {2, 8, 30, 30}, new int[] {16, 8, 3, 3}, one, one, one, one, true),                    // resnet's 3x3
            new Conv(new int[] {2, 3, 64, 64}, new int[] {8, 3, 7, 7}, new int[] {2, 2}, new int[] {3, 3}, new int[] {3, 3}, one,
                    false),                                                                                              // its conv1
            new Conv(new int[] {1, 4, 25, 23}, new int[] {6, 4, 3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {2, 1},
                    new int[] {1, 2}, true)}) {
            float[][][] results = new float[2][][];
            for (int mode = 0; mode < 2; mode++) {
                Tensor x = grid(7, 23, c.x);
                x.setRequiresGrad(c.inputGrad);
                Tensor w = grid(5, 19, c.w);
                Tensor b = grid(3, 11, c.w[0]);
                long[] before = Convolution.tiling;
                Convolution.tiling = mode == 0 ? new long[] {Long.MAX_VALUE, 1, Long.MAX_VALUE} : new long[] {1, 1, 0};   // one row a tile
                Tensor y;
                try {
                    y = Convolution.conv(x, w, b, c.stride, c.padLow, c.padHigh, c.dilation, 1);
                } finally {
                    Convolution.tiling = before;
                }
                float[] coef = new float[y.numel()];
                for (int i = 0; i < coef.length; i++) coef[i] = (float) coef(i);
                Reductions.sum(Arithmetic.mul(y, Tensor.of(coef, y.shape()))).backward();
                results[mode] = new float[][] {y.data(), c.inputGrad ? x.grad() : new float[0], w.grad(), b.grad()};
            }
            for (int t = 0; t < 4; t++) {
                float[] whole = results[0][t];
                float[] tiles = results[1][t];
                assertThat(tiles).hasSameSizeAs(whole);
                for (int i = 0; i < whole.length; i++) {
                    assertThat(tiles[i]).as("result %d, element %d", t, i).isCloseTo(whole[i], within(1e-4f + 1e-5f * Math.abs(whole[i])));
                }
            }
        }
    }

    @Test
    void conv1dWithSamePaddingPadsTheExtraOnTheRight() {
        int[][] same = Convolution.samePadding(new int[] {4}, new int[] {1});
        assertThat(same[0]).containsExactly(1);
        assertThat(same[1]).containsExactly(2);
        check(t -> Convolution.conv(t[0], t[1], t[2], new int[] {1}, same[0], same[1], new int[] {1}, 1),
                new int[] {2, 4, 9}, 2.04296875, new double[] {-0.388671875, 1.37890625, 0.71875},
                grid(7, 13, 2, 3, 9), grid(5, 11, 4, 3, 4), grid(3, 7, 4));
    }

    @Test
    void unbatchedConv1d() {
        check(t -> Convolution.conv(t[0], t[1], null, new int[] {2}, new int[] {1}, new int[] {1}, 1),
                new int[] {4, 5}, -1.91015625, new double[] {0.244140625, 0.83203125},
                grid(7, 13, 3, 9), grid(5, 11, 4, 3, 3));
    }

    @Test
    void convRefusesBadShapesInPyTorchsWords() {
        Tensor w = grid(5, 11, 6, 1, 5, 5);
        int[] one = {1, 1};
        int[] zero = {0, 0};
        assertThatThrownBy(() -> Convolution.conv(grid(1, 3, 2, 3), w, null, one, zero, one, 1))
                .hasMessage("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]");
        assertThatThrownBy(() -> Convolution.conv(grid(1, 3, 2, 3, 28, 28), w, null, one, zero, one, 1))
                .hasMessage("Given groups=1, weight of size [6, 1, 5, 5], expected input[2, 3, 28, 28] to have 1 channels, "
                        + "but got 3 channels instead");
        assertThatThrownBy(() -> Convolution.conv(grid(1, 3, 1, 1, 2, 2), w, null, one, zero, one, 1))
                .hasMessage("Calculated padded input size per channel: (2 x 2). Kernel size: (5 x 5). "
                        + "Kernel size can't be greater than actual input size");
    }

    /**
     * A padding whose output passes an int's range, or the budget, is a 413 before anything is
     * allocated: an output plane of 60004 x 60004 used to wrap to a negative size
     * (NegativeArraySizeException, a 500), and F.pad's index maps of 2·10^9 ints were made
     * before the output was charged (OutOfMemoryError).
     */
    @Test
    void hugePaddingsAreRefusedBeforeAnythingIsAllocated() {
        Tensor w = grid(5, 11, 1, 1, 3, 3);
        int[] one = {1, 1};
        try (Allocation.Scope budget = Allocation.limit(1 << 20)) {
            assertThatThrownBy(() -> Convolution.conv(grid(1, 3, 1, 1, 4, 4), w, null, one, new int[] {30000, 30000}, one, 1))
                    .isInstanceOf(TensorTooLargeException.class);
            assertThatThrownBy(() -> Convolution.conv(grid(1, 3, 1, 1, 4, 4), w, null, one,
                    new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, one, 1)).isInstanceOf(TensorTooLargeException.class);
            assertThatThrownBy(() -> Padding.pad(grid(1, 3, 2, 2), new int[] {1_000_000_000, 1_000_000_000}, Padding.Mode.CONSTANT, 0))
                    .isInstanceOf(TensorTooLargeException.class);
            assertThatThrownBy(() -> Padding.pad(grid(1, 3, 2, 2), new int[] {Integer.MAX_VALUE, 1}, Padding.Mode.CONSTANT, 0))
                    .isInstanceOf(TensorTooLargeException.class);
        }
        // outside a budget, still no wrapped sizes: past an int's range is refused as too large
        assertThatThrownBy(() -> Convolution.conv(grid(1, 3, 1, 1, 4, 4), w, null, one, new int[] {30000, 30000}, one, 1))
                .isInstanceOf(TensorTooLargeException.class);
        // a negative output keeps PyTorch's words
        assertThatThrownBy(() -> Padding.pad(grid(1, 3, 2, 2), new int[] {-5, -5}, Padding.Mode.CONSTANT, 0))
                .hasMessage("The input size 2, plus negative padding -5 and -5 resulted in a negative output size, "
                        + "which is invalid. Check dimension 1 of your input.");
    }

    @Test
    void padModes() {
        int[] pad = {1, 2, 2, 1};
        double[][] expected = {{0.9375, 1.90625}, {-0.765625, 4.3125}, {1.203125, 2.578125}, {-0.59375, 1.359375}};
        Padding.Mode[] modes = {Padding.Mode.CONSTANT, Padding.Mode.REFLECT, Padding.Mode.REPLICATE, Padding.Mode.CIRCULAR};
        for (int m = 0; m < modes.length; m++) {
            Padding.Mode mode = modes[m];
            check(t -> Padding.pad(t[0], pad, mode, mode == Padding.Mode.CONSTANT ? 0.5 : 0), new int[] {1, 2, 6, 7},
                    expected[m][0], new double[] {expected[m][1]}, grid(7, 13, 1, 2, 3, 4));
        }
        assertThatThrownBy(() -> Padding.pad(grid(1, 3, 1, 1, 2, 2), new int[] {3, 3, 0, 0}, Padding.Mode.REFLECT, 0))
                .hasMessage("Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                        + "padding (3, 3) at dimension 3 of input 4");
        assertThatThrownBy(() -> Padding.pad(grid(1, 3, 1, 1, 2, 2), new int[] {3, 3, 0, 0}, Padding.Mode.CIRCULAR, 0))
                .hasMessage("Padding value causes wrapping around more than once.");
    }

    @Test
    void maxPools() {
        check(t -> Pooling.maxPool(t[0], new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true),
                new int[] {2, 2, 4, 4}, -0.40625, new double[] {1.0625}, grid(7, 13, 2, 2, 7, 7));
        check(t -> Pooling.maxPool(t[0], new int[] {3}, new int[] {2}, new int[] {1}, new int[] {2}, false),
                new int[] {2, 3, 5}, -1.40625, new double[] {1.921875}, grid(7, 13, 2, 3, 11));
    }

    @Test
    void maxPoolTiesGoToTheFirstAndNaNWins() {
        // torch.tensor([[[1., 3., 3., float('nan'), 0., 2.]]]), F.max_pool1d(x, 2, return_indices=True): values [3, nan, 2], indices [1, 3, 5]
        Tensor x = Tensor.parameter(new float[] {1, 3, 3, Float.NaN, 0, 2}, 1, 1, 6);
        Tensor y = Pooling.maxPool(x, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1}, false);
        assertThat(y.data()[0]).isEqualTo(3f);
        assertThat(y.data()[1]).isNaN();
        Tensor z = Pooling.maxPool(x, new int[] {3}, new int[] {1}, new int[] {0}, new int[] {1}, false);
        Functional.linear(Functional.flatten(z, 0, -1), Tensor.of(new float[] {1, 1, 1, 1}, 1, 4), null).backward();
        // torch: windows [1,3,3] -> index 1, [3,3,nan] -> 3, [3,nan,0] -> 3, [nan,0,2] -> 3
        assertThat(x.grad()).containsExactly(0f, 1f, 0f, 3f, 0f, 0f);
    }

    @Test
    void avgPools() {
        check(t -> Pooling.avgPool(t[0], new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true, false, 0),
                new int[] {2, 2, 4, 4}, 0.2209201524965465, new double[] {3.361545160994865}, grid(7, 13, 2, 2, 7, 7));
        check(t -> Pooling.avgPool(t[0], new int[] {3, 2}, new int[] {2, 3}, new int[] {1, 1}, false, true, 2),
                new int[] {2, 2, 4, 3}, 0.515625, new double[] {-2.5390625}, grid(7, 13, 2, 2, 7, 7));
        check(t -> Pooling.avgPool(t[0], new int[] {3}, new int[] {2}, new int[] {1}, false, true, 0),
                new int[] {2, 3, 4}, -0.3072916539385915, new double[] {0.8072916883975267}, grid(7, 13, 2, 3, 7));
    }

    @Test
    void adaptivePools() {
        check(t -> Pooling.adaptiveAvgPool(t[0], new int[] {3, 2}), new int[] {2, 3, 3, 2}, 0.07638889318332076,
                new double[] {-0.48611115210223943}, grid(7, 13, 2, 3, 7, 5));
        check(t -> Pooling.adaptiveMaxPool(t[0], new int[] {3, -1}), new int[] {2, 3, 3, 5}, -0.625,
                new double[] {-4.0}, grid(7, 13, 2, 3, 7, 5));
        check(t -> Pooling.adaptiveAvgPool(t[0], new int[] {4}), new int[] {2, 3, 4}, -0.14843749161809683,
                new double[] {1.1979166716337204}, grid(7, 13, 2, 3, 7));
    }

    @Test
    void poolsRefuseInPyTorchsWords() {
        assertThatThrownBy(() -> Pooling.maxPool(grid(1, 3, 1, 1, 4, 4), new int[] {2, 2}, new int[] {2, 2}, new int[] {2, 2},
                new int[] {1, 1}, false)).hasMessage("pad should be at most half of kernel size, but got pad=2 and kernel_size=2");
        assertThatThrownBy(() -> Pooling.avgPool(grid(1, 3, 1, 1, 1, 1), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0},
                false, true, 0)).hasMessage("Given input size: (1x1x1). Calculated output size: (1x0x0). Output size is too small");
        assertThatThrownBy(() -> Pooling.adaptiveAvgPool(grid(1, 3, 3), new int[] {2, 2}))
                .hasMessage("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [3]");
    }

    @Test
    void batchNorm2dInTraining() {
        Tensor rm = Tensor.zeros(2);
        Tensor rv = Tensor.full(1f, 2);
        check(t -> Functional.batchNorm(t[0], rm, rv, t[1], t[2], true, 0.1, 1e-5), new int[] {3, 2, 3, 3},
                0.5144765087752603, new double[] {-1.427467715460807, -3.1876738369464874, 1.875},
                grid(7, 13, 3, 2, 3, 3), grid(3, 5, 2), grid(2, 5, 2));
        assertThat(rm.data()[0]).isCloseTo(-0.003703703870996833f, within(1e-7f));
        assertThat(rm.data()[1]).isCloseTo(0.0013888889225199819f, within(1e-7f));
        assertThat(rv.data()[0]).isCloseTo(0.9229344725608826f, within(1e-6f));
        assertThat(rv.data()[1]).isCloseTo(0.9228765964508057f, within(1e-6f));
    }

    @Test
    void groupNorm() {
        check(t -> Functional.groupNorm(t[0], 2, t[1], t[2], 1e-5), new int[] {2, 4, 3, 3}, 0.24695299164332785,
                new double[] {0.862832719925791, -4.150739446282387, 0.71875},
                grid(7, 13, 2, 4, 3, 3), grid(3, 5, 4), grid(2, 5, 4));
        assertThatThrownBy(() -> Functional.groupNorm(grid(1, 3, 2, 3, 4), 2, null, null, 1e-5))
                .hasMessage("Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 3, 4] "
                        + "and num_groups=2");
    }

    @Test
    void activations() {
        record Case(Function<Tensor, Tensor> f, double y, double dx) {
        }
        Case[] cases = {
            new Case(Activations::relu6, -0.3046875, 14.71875),
            new Case(Activations::silu, -0.7584928061551182, 21.454547286606612),
            new Case(Activations::hardswish, -0.70751953125, 21.078125),
            new Case(Activations::hardsigmoid, -0.046875, 2.4765625938307494),
            new Case(Activations::mish, -0.8214660730591277, 21.4696028986491),
            new Case(x -> Activations.elu(x, 0.5), -0.6811417043209076, 22.60295749521049),
            new Case(x -> Activations.softplus(x, 2, 3), -1.0035629841793217, 21.562900878682154),
            new Case(x -> Functional.logSoftmax(x, 1), 13.060107611119747, 46.03186193481088),
        };
        for (Case c : cases) {
            Tensor x = grid(7, 97, 3, 40);
            for (int i = 0; i < x.numel(); i++) x.data()[i] *= 1.5f;
            check(t -> c.f.apply(t[0]), new int[] {3, 40}, c.y, new double[] {c.dx}, x);
        }
    }

    @Test
    void relu6AtItsKinksAndSpecialValues() {
        // x = torch.tensor([-inf, -1, -0., 0, 0.5, 6, 7, inf, nan], requires_grad=True); F.relu6(x).sum().backward()
        // PyTorch 1.13: y = [0, 0, -0, 0, 0.5, 6, 6, 6, nan], x.grad = [0, 0, 0, 0, 1, 0, 0, 0, 1] (paramlab gives +0 for -0)
        Tensor x = Tensor.parameter(new float[] {Float.NEGATIVE_INFINITY, -1f, -0f, 0f, 0.5f, 6f, 7f, Float.POSITIVE_INFINITY, Float.NaN}, 9);
        Tensor y = Activations.relu6(x);
        assertThat(y.data()).containsExactly(0f, 0f, 0f, 0f, 0.5f, 6f, 6f, 6f, Float.NaN);
        Reductions.sum(y).backward();
        assertThat(x.grad()).containsExactly(0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f);
    }

    @Test
    void stochasticDepthIsTheIdentityOutOfTrainingAndScalesRowsInIt() {
        Tensor x = grid(7, 13, 4, 3);
        assertThat(Activations.stochasticDepth(x, 0.5, "row", false, () -> 0.0)).isSameAs(x);
        assertThat(Activations.stochasticDepth(x, 0.0, "row", true, () -> 0.0)).isSameAs(x);
        double[] draws = {0.1, 0.9, 0.3, 0.7};
        int[] next = {0};
        Tensor y = Activations.stochasticDepth(x, 0.5, "row", true, () -> draws[next[0]++]);
        for (int i = 0; i < 12; i++) {
            float keep = draws[i / 3] < 0.5 ? 2f : 0f;
            assertThat(y.data()[i]).isEqualTo(x.data()[i] * keep);
        }
        // torch.manual_seed(3); torchvision.ops.stochastic_depth(torch.ones(8, 2), 0.5, "row", True)[:, 0]
        Generator generator = new Generator(3);
        Tensor ones = Tensor.full(1f, 8, 2);
        Tensor dropped = Activations.stochasticDepth(ones, 0.5, "row", true, generator::nextDouble);
        float[] firstColumn = new float[8];
        for (int i = 0; i < 8; i++) firstColumn[i] = dropped.data()[2 * i];
        assertThat(firstColumn).containsExactly(2f, 2f, 0f, 2f, 0f, 0f, 2f, 2f);
        assertThatThrownBy(() -> Activations.stochasticDepth(x, 0.5, "col", true, () -> 0.0))
                .hasMessage("mode has to be either 'batch' or 'row', but got col");
    }
}
