package io.paramlab.nn;

import io.paramlab.tensor.Pooling;
import io.paramlab.tensor.Tensor;

/**
 * The pooling layers, one class per family over 1 or 2 spatial dims: {@code MaxPool1d/2d},
 * {@code AvgPool1d/2d} and the adaptive ones. Arguments are kept as PyTorch stores them (an int
 * or a tuple), which is what their {@code repr} prints.
 */
public final class Pool extends Module {
    /** The pooling families. */
    public enum Kind {
        MAX("MaxPool"), AVG("AvgPool"), ADAPTIVE_AVG("AdaptiveAvgPool"), ADAPTIVE_MAX("AdaptiveMaxPool");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    private final Kind kind;
    private final int rank;
    private final IntTuple size;      // kernel_size, or output_size for the adaptive ones
    private final IntTuple stride;
    private final IntTuple padding;
    private final IntTuple dilation;
    private final boolean ceilMode;
    private final boolean countIncludePad;
    private final Integer divisorOverride;

    private Pool(Kind kind, int rank, IntTuple size, IntTuple stride, IntTuple padding, IntTuple dilation, boolean ceilMode,
                 boolean countIncludePad, Integer divisorOverride) {
        this.kind = kind;
        this.rank = rank;
        this.size = size;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    public static Pool max(int rank, IntTuple kernelSize, IntTuple stride, IntTuple padding, IntTuple dilation, boolean ceilMode) {
        return new Pool(Kind.MAX, rank, kernelSize, stride, padding, dilation, ceilMode, false, null);
    }

    /** {@code divisorOverride} null for None. */
    public static Pool avg(int rank, IntTuple kernelSize, IntTuple stride, IntTuple padding, boolean ceilMode,
                           boolean countIncludePad, Integer divisorOverride) {
        return new Pool(Kind.AVG, rank, kernelSize, stride, padding, null, ceilMode, countIncludePad, divisorOverride);
    }

    public static Pool adaptive(int rank, boolean max, IntTuple outputSize) {
        return new Pool(max ? Kind.ADAPTIVE_MAX : Kind.ADAPTIVE_AVG, rank, outputSize, null, null, null, false, false, null);
    }

    @Override
    public String typeName() {
        return kind.prefix + rank + "d";
    }

    @Override
    protected String extraRepr() {
        return switch (kind) {
            case MAX -> "kernel_size=" + size.repr() + ", stride=" + stride.repr() + ", padding=" + padding.repr()
                    + ", dilation=" + dilation.repr() + ", ceil_mode=" + PyRepr.bool(ceilMode);
            case AVG -> "kernel_size=" + size.repr() + ", stride=" + stride.repr() + ", padding=" + padding.repr();
            case ADAPTIVE_AVG, ADAPTIVE_MAX -> "output_size=" + size.repr();
        };
    }

    @Override
    public Tensor forward(Tensor input) {
        return switch (kind) {
            case MAX -> Pooling.maxPool(input, size.expand(rank), stride.expand(rank), padding.expand(rank), dilation.expand(rank),
                    ceilMode);
            case AVG -> Pooling.avgPool(input, size.expand(rank), stride.expand(rank), padding.expand(rank), ceilMode,
                    countIncludePad, divisorOverride == null ? 0 : divisorOverride);
            case ADAPTIVE_AVG -> Pooling.adaptiveAvgPool(input, size.expand(rank));
            case ADAPTIVE_MAX -> Pooling.adaptiveMaxPool(input, size.expand(rank));
        };
    }
}
