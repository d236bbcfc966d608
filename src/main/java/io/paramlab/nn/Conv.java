package io.paramlab.nn;

import io.paramlab.init.FanMode;
import io.paramlab.init.Fans;
import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.init.Nonlinearity;
import io.paramlab.tensor.Convolution;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Padding;
import io.paramlab.tensor.Tensor;

/**
 * {@code nn.Conv1d} and {@code nn.Conv2d} as one class, as PyTorch's {@code _ConvNd}: weight
 * [out, in / groups, *kernel], bias [out]; {@code padding} a tuple or "same" / "valid"; a
 * {@code padding_mode} other than zeros pads the input explicitly first.
 */
public final class Conv extends Module {
    private final int rank;
    private final int inChannels;
    private final int outChannels;
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;          // null when paddingString is set
    private final String paddingString;   // "same", "valid", or null
    private final int[] dilation;
    private final int groups;
    private final String paddingMode;
    private final int[] reversedPaddingRepeatedTwice;   // F.pad's order: last dim first, (before, after)
    private final Tensor weight;
    private final Tensor bias;

    /** Arguments as PyTorch stores them (tuples of length rank); the spec has checked them. */
    public Conv(int rank, int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, String paddingString,
                int[] dilation, int groups, boolean bias, String paddingMode, Generator generator) {
        this.rank = rank;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize.clone();
        this.stride = stride.clone();
        this.padding = padding == null ? null : padding.clone();
        this.paddingString = paddingString;
        this.dilation = dilation.clone();
        this.groups = groups;
        this.paddingMode = paddingMode;
        this.reversedPaddingRepeatedTwice = new int[2 * rank];
        for (int d = 0; d < rank; d++) {
            int i = rank - 1 - d;
            if ("same".equals(paddingString)) {
                int total = dilation[d] * (kernelSize[d] - 1);
                reversedPaddingRepeatedTwice[2 * i] = total / 2;
                reversedPaddingRepeatedTwice[2 * i + 1] = total - total / 2;
            } else if (padding != null) {
                reversedPaddingRepeatedTwice[2 * i] = padding[d];
                reversedPaddingRepeatedTwice[2 * i + 1] = padding[d];
            }
        }
        int[] shape = new int[rank + 2];
        shape[0] = outChannels;
        shape[1] = inChannels / groups;
        System.arraycopy(kernelSize, 0, shape, 2, rank);
        int n = 1;
        for (int s : shape) n *= s;
        this.weight = registerParameter("weight", Tensor.parameter(new float[n], shape));
        this.bias = bias ? registerParameter("bias", Tensor.parameter(new float[outChannels], outChannels)) : null;
        resetParameter("weight", generator);
        if (bias) {
            resetParameter("bias", generator);
        }
    }

    /** {@code reset_parameters()}: kaiming_uniform(a=sqrt(5)) for the weight, then U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias. */
    @Override
    public void resetParameter(String name, Generator generator) {
        switch (name) {
            case "weight" -> Initializer.apply(new InitPolicy.KaimingUniform(Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU),
                    weight.data(), weight.shape(), generator);
            case "bias" -> {
                long fanIn = Fans.fanInAndFanOut(weight.shape())[0];
                double bound = fanIn != 0 ? 1 / Math.sqrt(fanIn) : 0;
                if (fanIn != 0) {
                    Initializer.apply(new InitPolicy.Uniform(-bound, bound), bias.data(), bias.shape(), generator);
                }
            }
            default -> super.resetParameter(name, generator);
        }
    }

    @Override
    public String typeName() {
        return "Conv" + rank + "d";
    }

    /** PyTorch's {@code _ConvNd.extra_repr}: what differs from the defaults only. */
    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(PyRepr.tuple(kernelSize)).append(", stride=").append(PyRepr.tuple(stride));
        if (paddingString != null) {
            s.append(", padding=").append(paddingString);
        } else if (!allEqual(padding, 0)) {
            s.append(", padding=").append(PyRepr.tuple(padding));
        }
        if (!allEqual(dilation, 1)) {
            s.append(", dilation=").append(PyRepr.tuple(dilation));
        }
        if (groups != 1) {
            s.append(", groups=").append(groups);
        }
        if (bias == null) {
            s.append(", bias=False");
        }
        if (!paddingMode.equals("zeros")) {
            s.append(", padding_mode=").append(paddingMode);
        }
        return s.toString();
    }

    private static boolean allEqual(int[] values, int v) {
        for (int x : values) if (x != v) return false;
        return true;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] zero = new int[rank];
        if (!paddingMode.equals("zeros")) {
            Tensor padded = Padding.pad(input, reversedPaddingRepeatedTwice, Padding.Mode.of(paddingMode), 0);
            return Convolution.conv(padded, weight, bias, stride, zero, zero, dilation, groups);
        }
        if ("same".equals(paddingString)) {
            int[][] same = Convolution.samePadding(kernelSize, dilation);
            return Convolution.conv(input, weight, bias, stride, same[0], same[1], dilation, groups);
        }
        return Convolution.conv(input, weight, bias, stride, padding == null ? zero : padding, dilation, groups);
    }
}
