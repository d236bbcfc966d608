package io.paramlab.nn;

import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * {@code nn.TransformerEncoder} and {@code nn.TransformerDecoder}: {@code layers}, a ModuleList of
 * copies of one layer (PyTorch's {@code _get_clones}), and an optional final {@code norm}. Each
 * layer gets the stack's masks under its own names.
 */
public final class TransformerStack extends Module {
    private final boolean decoder;

    public TransformerStack(boolean decoder, List<Module> layers, Module norm) {
        this.decoder = decoder;
        Container list = new Container("ModuleList", 1);
        for (int i = 0; i < layers.size(); i++) {
            list.add(String.valueOf(i), layers.get(i));
        }
        addModule("layers", list);
        if (norm != null) {
            addModule("norm", norm);
        }
    }

    @Override
    public String typeName() {
        return decoder ? "TransformerDecoder" : "TransformerEncoder";
    }

    static final List<String> ENCODER_ARGUMENTS = List.of("src", "mask", "src_key_padding_mask");

    @Override
    public Tensor forward(Tensor input) {
        if (decoder) {
            throw new ShapeException("forward() missing 1 required positional argument: 'memory'");
        }
        return (Tensor) forward(List.of(input), Map.of());
    }

    @Override
    public Object forward(List<Object> args, Map<String, Object> kwargs) {
        List<Object> a = Cells.bind(typeName(), decoder ? TransformerLayer.DECODER_ARGUMENTS : ENCODER_ARGUMENTS, args, kwargs);
        Tensor x = Cells.tensor(a.get(0), decoder ? "tgt" : "src");
        Tensor memory = null;
        if (decoder) {
            if (a.get(1) == null) {
                throw new ShapeException("forward() missing 1 required positional argument: 'memory'");
            }
            memory = Cells.tensor(a.get(1), "memory");
        }
        for (Module layer : submodule("layers").children().values()) {
            if (!(layer instanceof TransformerLayer t)) {
                throw new ShapeException(typeName() + "'s layers must be " + (decoder ? "TransformerDecoderLayer" : "TransformerEncoderLayer")
                        + ", got " + layer.typeName());
            }
            x = decoder
                    ? t.forward(x, memory, TransformerLayer.mask(a.get(2)), TransformerLayer.mask(a.get(3)), TransformerLayer.mask(a.get(4)),
                            TransformerLayer.mask(a.get(5)))
                    : t.forward(x, null, TransformerLayer.mask(a.get(1)), null, TransformerLayer.mask(a.get(2)), null);
        }
        Module norm = children().get("norm");
        return norm == null ? x : norm.forward(x);
    }
}
