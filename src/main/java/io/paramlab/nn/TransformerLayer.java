package io.paramlab.nn;

import io.paramlab.tensor.Arithmetic;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * {@code nn.TransformerEncoderLayer} and {@code nn.TransformerDecoderLayer}: children in PyTorch's
 * registration order (self_attn, [multihead_attn], linear1, dropout, linear2, norm1, norm2,
 * [norm3], dropout1, dropout2, [dropout3]), each drawing as its constructor does; the forward is
 * PyTorch's {@code _sa_block} / {@code _mha_block} / {@code _ff_block} with post- or pre-norm.
 */
public final class TransformerLayer extends Module {
    private final boolean decoder;
    private final boolean gelu;
    private final boolean normFirst;

    public TransformerLayer(boolean decoder, int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                            double layerNormEps, boolean batchFirst, boolean normFirst, Generator generator) {
        this.decoder = decoder;
        this.gelu = activation.equals("gelu");
        this.normFirst = normFirst;
        addModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, false, false, dModel, dModel, batchFirst, generator));
        if (decoder) {
            addModule("multihead_attn", new MultiheadAttention(dModel, nhead, dropout, true, false, false, dModel, dModel, batchFirst, generator));
        }
        addModule("linear1", new Linear(dModel, dimFeedforward, true, generator));
        addModule("dropout", new Dropout(dropout, generator));
        addModule("linear2", new Linear(dimFeedforward, dModel, true, generator));
        int norms = decoder ? 3 : 2;
        for (int i = 1; i <= norms; i++) {
            addModule("norm" + i, new LayerNorm(new int[] {dModel}, layerNormEps, true));
        }
        for (int i = 1; i <= norms; i++) {
            addModule("dropout" + i, new Dropout(dropout, generator));
        }
    }

    @Override
    public String typeName() {
        return decoder ? "TransformerDecoderLayer" : "TransformerEncoderLayer";
    }

    static final List<String> ENCODER_ARGUMENTS = List.of("src", "src_mask", "src_key_padding_mask");
    static final List<String> DECODER_ARGUMENTS = List.of("tgt", "memory", "tgt_mask", "memory_mask", "tgt_key_padding_mask",
            "memory_key_padding_mask");

    @Override
    public Tensor forward(Tensor input) {
        if (decoder) {
            throw new ShapeException("forward() missing 1 required positional argument: 'memory'");
        }
        return forward(input, null, null, null, null, null);
    }

    @Override
    public Object forward(List<Object> args, Map<String, Object> kwargs) {
        List<Object> a = Cells.bind(typeName(), decoder ? DECODER_ARGUMENTS : ENCODER_ARGUMENTS, args, kwargs);
        if (decoder) {
            if (a.get(1) == null) {
                throw new ShapeException("forward() missing 1 required positional argument: 'memory'");
            }
            return forward(Cells.tensor(a.get(0), "tgt"), Cells.tensor(a.get(1), "memory"), mask(a.get(2)), mask(a.get(3)),
                    mask(a.get(4)), mask(a.get(5)));
        }
        return forward(Cells.tensor(a.get(0), "src"), null, mask(a.get(1)), null, mask(a.get(2)), null);
    }

    static Tensor mask(Object value) {
        return value == null ? null : Cells.tensor(value, "a mask");
    }

    /** The encoder's (src, src_mask, src_key_padding_mask) or the decoder's arguments; memory null for an encoder. */
    Tensor forward(Tensor x, Tensor memory, Tensor selfMask, Tensor memoryMask, Tensor selfPadding, Tensor memoryPadding) {
        Module norm1 = submodule("norm1");
        Module norm2 = submodule("norm2");
        if (normFirst) {
            x = Arithmetic.add(x, selfAttention(norm1.forward(x), selfMask, selfPadding));
            if (decoder) {
                x = Arithmetic.add(x, crossAttention(norm2.forward(x), memory, memoryMask, memoryPadding));
                x = Arithmetic.add(x, feedForward(submodule("norm3").forward(x)));
            } else {
                x = Arithmetic.add(x, feedForward(norm2.forward(x)));
            }
        } else {
            x = norm1.forward(Arithmetic.add(x, selfAttention(x, selfMask, selfPadding)));
            if (decoder) {
                x = norm2.forward(Arithmetic.add(x, crossAttention(x, memory, memoryMask, memoryPadding)));
                x = submodule("norm3").forward(Arithmetic.add(x, feedForward(x)));
            } else {
                x = norm2.forward(Arithmetic.add(x, feedForward(x)));
            }
        }
        return x;
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor padding) {
        MultiheadAttention attention = (MultiheadAttention) submodule("self_attn");
        return submodule("dropout1").forward(attention.attend(x, x, x, padding, false, mask, true)[0]);
    }

    private Tensor crossAttention(Tensor x, Tensor memory, Tensor mask, Tensor padding) {
        MultiheadAttention attention = (MultiheadAttention) submodule("multihead_attn");
        return submodule("dropout2").forward(attention.attend(x, memory, memory, padding, false, mask, true)[0]);
    }

    private Tensor feedForward(Tensor x) {
        Tensor hidden = submodule("linear1").forward(x);
        hidden = gelu ? Functional.gelu(hidden, false) : Functional.relu(hidden);
        return submodule(decoder ? "dropout3" : "dropout2").forward(submodule("linear2").forward(submodule("dropout").forward(hidden)));
    }
}
