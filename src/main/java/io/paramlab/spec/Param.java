package io.paramlab.spec;

import java.util.List;

/**
 * One argument of a layer type as its declaration gives it: PyTorch's name, what JSON it takes,
 * its default ({@code null} with {@code required} false: PyTorch's None) and a line of docs. The
 * parser reads it ({@link Args}), the OpenAPI schema is made from it, and the echo writes it back.
 */
public record Param(String name, Kind kind, boolean required, Object defaultValue, List<String> choices, String doc) {

    /** The JSON an argument takes. */
    public enum Kind {
        /** An integer of at least 1. */
        POSITIVE_INT,
        /** Any integer (a dim). */
        INT,
        /** A finite number. */
        NUMBER,
        /** A finite number, or null (PyTorch's None) where the default is a number (BatchNorm's momentum). */
        NULLABLE_NUMBER,
        /** A finite number whose JSON form (2 or 2.0) the repr shows. */
        NUMBER_KEEPING_FORM,
        BOOL,
        /** One of {@code choices}. */
        CHOICE,
        /** A positive int or a non-empty list of them (LayerNorm's normalized_shape). */
        SHAPE,
        /** A positive int or a list of one per spatial dim (kernel_size, stride, dilation). */
        SIZE,
        /** A non-negative int or a list of one per spatial dim. */
        PADDING,
        /** {@link #PADDING}, or "same" or "valid" (a convolution's). */
        CONV_PADDING,
        /** A positive int or a list of one per spatial dim, entries possibly null (an adaptive pool's output_size). */
        OUTPUT_SIZE
    }

    public static Param required(String name, Kind kind, String doc) {
        return new Param(name, kind, true, null, List.of(), doc);
    }

    /** An optional argument; {@code defaultValue} null is None. */
    public static Param optional(String name, Kind kind, Object defaultValue, String doc) {
        return new Param(name, kind, false, defaultValue, List.of(), doc);
    }

    public static Param choice(String name, String defaultValue, List<String> choices, String doc) {
        return new Param(name, Kind.CHOICE, false, defaultValue, List.copyOf(choices), doc);
    }

    /** Whether null is a value here (PyTorch's None), as it is for an optional argument whose default is None. */
    public boolean nullable() {
        return kind == Kind.NULLABLE_NUMBER || (!required && defaultValue == null);
    }
}
