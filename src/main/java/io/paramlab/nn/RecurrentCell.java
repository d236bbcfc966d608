package io.paramlab.nn;

import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.ShapeOps;
import io.paramlab.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code nn.RNNCell}, {@code nn.LSTMCell}, {@code nn.GRUCell}: weight_ih, weight_hh, bias_ih,
 * bias_hh, drawn from U(-1/sqrt(hidden), 1/sqrt(hidden)); one step of {@link Recurrent}'s cell.
 */
public final class RecurrentCell extends Module {
    private final Recurrent.Mode mode;
    private final int inputSize;
    private final int hiddenSize;
    private final boolean bias;

    public RecurrentCell(Recurrent.Mode mode, int inputSize, int hiddenSize, boolean bias, Generator generator) {
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.bias = bias;
        int gates = mode.gates * hiddenSize;
        registerParameter("weight_ih", Tensor.parameter(new float[gates * inputSize], gates, inputSize));
        registerParameter("weight_hh", Tensor.parameter(new float[gates * hiddenSize], gates, hiddenSize));
        if (bias) {
            registerParameter("bias_ih", Tensor.parameter(new float[gates], gates));
            registerParameter("bias_hh", Tensor.parameter(new float[gates], gates));
        }
        for (String name : localParameters().keySet()) {
            resetParameter(name, generator);
        }
    }

    @Override
    public void resetParameter(String name, Generator generator) {
        Tensor p = localParameters().get(name);
        if (p == null) {
            super.resetParameter(name, generator);
        }
        double stdv = 1.0 / Math.sqrt(hiddenSize);
        Initializer.apply(new InitPolicy.Uniform(-stdv, stdv), p.data(), p.shape(), generator);
    }

    @Override
    protected boolean readsParametersByName() {
        return true;
    }

    @Override
    public String typeName() {
        return switch (mode) {
            case RNN_TANH, RNN_RELU -> "RNNCell";
            case LSTM -> "LSTMCell";
            case GRU -> "GRUCell";
        };
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (bias ? "" : ", bias=False") + (mode == Recurrent.Mode.RNN_RELU ? ", nonlinearity=relu" : "");
    }

    @Override
    public Tensor forward(Tensor input) {
        Object out = forward(List.of(input), Map.of());
        return out instanceof Tensor t ? t : (Tensor) ((List<?>) out).get(0);
    }

    /** {@code forward(input, hx=None)}: h' (LSTMCell: {@code (h', c')}). */
    @Override
    public Object forward(List<Object> args, Map<String, Object> kwargs) {
        List<Object> bound = Cells.bind(typeName(), List.of("input", "hx"), args, kwargs);
        Tensor input = Cells.tensor(bound.get(0), "input");
        if (input.dim() != 1 && input.dim() != 2) {
            throw new ShapeException(typeName() + ": Expected input to be 1-D or 2-D but received " + input.dim() + "-D tensor");
        }
        boolean batched = input.dim() == 2;
        Tensor x = batched ? input : ShapeOps.unsqueeze(input, 0);
        if (x.size(1) != inputSize) {
            throw new ShapeException("input has inconsistent input_size: got " + x.size(1) + " expected " + inputSize);
        }
        int batch = x.size(0);
        Tensor h;
        Tensor c = null;
        Object hx = bound.get(1);
        if (hx == null) {
            h = Tensor.zeros(batch, hiddenSize);
            c = mode == Recurrent.Mode.LSTM ? Tensor.zeros(batch, hiddenSize) : null;
        } else if (mode == Recurrent.Mode.LSTM) {
            if (!(hx instanceof List<?> pair) || pair.size() != 2) {
                throw new ShapeException("LSTMCell: hx must be a tuple (h_0, c_0), got " + describe(hx));
            }
            h = state(Cells.tensor(pair.get(0), "h_0"), batched, batch, 0);
            c = state(Cells.tensor(pair.get(1), "c_0"), batched, batch, 1);
        } else {
            h = state(Cells.tensor(hx, "hx"), batched, batch, 0);
        }
        Map<String, Tensor> p = localParameters();
        Tensor ih = Functional.linear(x, p.get("weight_ih"), p.get("bias_ih"));
        Tensor[] hc = Cells.step(mode, ih, h, c, p.get("weight_hh"), p.get("bias_hh"), null);
        Tensor hy = batched ? hc[0] : ShapeOps.squeeze(hc[0], 0);
        if (mode == Recurrent.Mode.LSTM) {
            return List.of(hy, batched ? hc[1] : ShapeOps.squeeze(hc[1], 0));
        }
        return hy;
    }

    private Tensor state(Tensor given, boolean batched, int batch, int index) {
        Tensor s = batched ? given : ShapeOps.unsqueeze(given, 0);
        if (s.dim() != 2 || !Arrays.equals(s.shape(), new int[] {batch, hiddenSize})) {
            throw new ShapeException("hidden" + index + " has inconsistent hidden_size: got " + Arrays.toString(given.shape())
                    + ", expected " + Arrays.toString(batched ? new int[] {batch, hiddenSize} : new int[] {hiddenSize}));
        }
        return s;
    }
}
