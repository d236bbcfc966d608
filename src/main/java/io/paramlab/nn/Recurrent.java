package io.paramlab.nn;

import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.tensor.Arithmetic;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Sequence;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.ShapeOps;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code nn.RNN}, {@code nn.LSTM} and {@code nn.GRU} (PyTorch's {@code RNNBase}): per layer and
 * direction {@code weight_ih_l{k}}, {@code weight_hh_l{k}}, {@code bias_ih_l{k}},
 * {@code bias_hh_l{k}} (LSTM with a projection: {@code weight_hr_l{k}}), {@code _reverse} for the
 * backward direction, all drawn from U(-1/sqrt(hidden), 1/sqrt(hidden)) in that order. The
 * forward is composed from engine ops (linear, chunk, sigmoid, tanh), so its gradient is theirs.
 */
public final class Recurrent extends Module {
    /** The cell of each step and its gate count. */
    public enum Mode {
        RNN_TANH(1), RNN_RELU(1), LSTM(4), GRU(3);

        final int gates;

        Mode(int gates) {
            this.gates = gates;
        }

        /** Gates per step: 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n). */
        public int gates() {
            return gates;
        }

        String typeName() {
            return switch (this) {
                case RNN_TANH, RNN_RELU -> "RNN";
                case LSTM -> "LSTM";
                case GRU -> "GRU";
            };
        }
    }

    private final Mode mode;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bias;
    private final boolean batchFirst;
    private final double dropout;
    private final boolean bidirectional;
    private final int projSize;
    private final Generator generator;

    public Recurrent(Mode mode, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                     boolean bidirectional, int projSize, Generator generator) {
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        this.projSize = projSize;
        this.generator = generator;
        int directions = bidirectional ? 2 : 1;
        int realHidden = projSize > 0 ? projSize : hiddenSize;
        int gateSize = mode.gates * hiddenSize;
        for (int layer = 0; layer < numLayers; layer++) {
            int layerInput = layer == 0 ? inputSize : realHidden * directions;
            for (int direction = 0; direction < directions; direction++) {
                String suffix = "_l" + layer + (direction == 1 ? "_reverse" : "");
                add("weight_ih" + suffix, gateSize, layerInput);
                add("weight_hh" + suffix, gateSize, realHidden);
                if (bias) {
                    add("bias_ih" + suffix, gateSize);
                    add("bias_hh" + suffix, gateSize);
                }
                if (projSize > 0) {
                    add("weight_hr" + suffix, projSize, hiddenSize);
                }
            }
        }
        for (String name : localParameters().keySet()) {
            resetParameter(name, generator);
        }
    }

    private void add(String name, int... shape) {
        registerParameter(name, Tensor.parameter(new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)], shape));
    }

    /** {@code reset_parameters()}: every weight U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)). */
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
    protected boolean forwardWritesInTraining() {
        return dropout > 0 && numLayers > 1;
    }

    @Override
    protected boolean readsParametersByName() {
        return true;
    }

    @Override
    public String typeName() {
        return mode.typeName();
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (projSize != 0) s.append(", proj_size=").append(projSize);
        if (numLayers != 1) s.append(", num_layers=").append(numLayers);
        if (!bias) s.append(", bias=False");
        if (batchFirst) s.append(", batch_first=True");
        if (dropout != 0) s.append(", dropout=").append(PyRepr.floating(dropout));
        if (bidirectional) s.append(", bidirectional=True");
        return s.toString();
    }

    /** A graph passes a tuple through; called alone with one tensor it answers the output only (a tuple needs {@link #forward(List, Map)}). */
    @Override
    public Tensor forward(Tensor input) {
        Object out = forward(List.of(input), Map.of());
        return (Tensor) ((List<?>) out).get(0);
    }

    /** {@code forward(input, hx=None)}: {@code (output, h_n)}, LSTM {@code (output, (h_n, c_n))}. */
    @Override
    public Object forward(List<Object> args, Map<String, Object> kwargs) {
        List<Object> bound = Cells.bind(typeName(), List.of("input", "hx"), args, kwargs);
        Tensor input = Cells.tensor(bound.get(0), "input");
        Object hx = bound.get(1);
        String name = typeName();
        if (input.dim() != 2 && input.dim() != 3) {
            throw new ShapeException(name + ": Expected input to be 2-D or 3-D but received " + input.dim() + "-D tensor");
        }
        boolean batched = input.dim() == 3;
        int directions = bidirectional ? 2 : 1;
        int realHidden = projSize > 0 ? projSize : hiddenSize;
        Tensor x = batched ? (batchFirst ? ShapeOps.transpose(input, 0, 1) : input) : ShapeOps.unsqueeze(input, 1);
        if (x.size(2) != inputSize) {
            throw new ShapeException("input.size(-1) must be equal to input_size. Expected " + inputSize + ", got " + x.size(2));
        }
        int steps = x.size(0);
        int batch = x.size(1);
        Tensor h0;
        Tensor c0 = null;
        if (hx == null) {
            h0 = Tensor.zeros(numLayers * directions, batch, realHidden);
            c0 = mode == Mode.LSTM ? Tensor.zeros(numLayers * directions, batch, hiddenSize) : null;
        } else if (mode == Mode.LSTM) {
            if (!(hx instanceof List<?> pair) || pair.size() != 2) {
                throw new ShapeException("LSTM: hx must be a tuple (h_0, c_0), got " + describe(hx));
            }
            h0 = state(Cells.tensor(pair.get(0), "h_0"), batched, new int[] {numLayers * directions, batch, realHidden}, "hidden");
            c0 = state(Cells.tensor(pair.get(1), "c_0"), batched, new int[] {numLayers * directions, batch, hiddenSize}, "cell");
        } else {
            h0 = state(Cells.tensor(hx, "hx"), batched, new int[] {numLayers * directions, batch, realHidden}, "hidden");
        }
        List<Tensor> hn = new ArrayList<>();
        List<Tensor> cn = new ArrayList<>();
        Tensor layerInput = x;
        for (int layer = 0; layer < numLayers; layer++) {
            List<Tensor> outputs = new ArrayList<>();
            for (int direction = 0; direction < directions; direction++) {
                String suffix = "_l" + layer + (direction == 1 ? "_reverse" : "");
                int k = layer * directions + direction;
                Tensor[] result = run(layerInput, suffix, Sequence.select(h0, 0, k), c0 == null ? null : Sequence.select(c0, 0, k),
                        direction == 1, steps);
                outputs.add(result[0]);
                hn.add(result[1]);
                if (result[2] != null) cn.add(result[2]);
            }
            layerInput = outputs.size() == 1 ? outputs.get(0) : ShapeOps.cat(outputs, 2);
            if (dropout > 0 && isTraining() && layer < numLayers - 1) {
                layerInput = Functional.dropout(layerInput, dropout, true, generator);
            }
        }
        Tensor output = batched ? (batchFirst ? ShapeOps.transpose(layerInput, 0, 1) : layerInput) : ShapeOps.squeeze(layerInput, 1);
        Tensor h = ShapeOps.stack(hn, 0);
        Tensor hOut = batched ? h : ShapeOps.squeeze(h, 1);
        if (mode == Mode.LSTM) {
            Tensor c = ShapeOps.stack(cn, 0);
            return List.of(output, List.of(hOut, batched ? c : ShapeOps.squeeze(c, 1)));
        }
        return List.of(output, hOut);
    }

    private Tensor state(Tensor given, boolean batched, int[] expected, String what) {
        if (!batched) {
            if (given.dim() != 2) {
                throw new ShapeException("For unbatched 2-D input, hx should also be 2-D but got " + given.dim() + "-D tensor");
            }
            given = ShapeOps.unsqueeze(given, 1);
        } else if (given.dim() != 3) {
            throw new ShapeException("For batched 3-D input, hx should also be 3-D but got " + given.dim() + "-D tensor");
        }
        if (!Arrays.equals(given.shape(), expected)) {
            throw new ShapeException("Expected " + what + " size " + PyRepr.tuple(expected) + ", got " + Arrays.toString(given.shape()));
        }
        return given;
    }

    /** One layer in one direction over (L, N, in): the outputs (L, N, H), the last h and (LSTM) c. */
    private Tensor[] run(Tensor x, String suffix, Tensor h, Tensor c, boolean reverse, int steps) {
        Map<String, Tensor> p = localParameters();
        Tensor wih = p.get("weight_ih" + suffix);
        Tensor whh = p.get("weight_hh" + suffix);
        Tensor bih = p.get("bias_ih" + suffix);
        Tensor bhh = p.get("bias_hh" + suffix);
        Tensor whr = p.get("weight_hr" + suffix);
        Tensor projected = Functional.linear(x, wih, bih);   // every step's input part at once
        if (mode == Mode.LSTM && whr == null && steps > 0) {
            Tensor all = Sequence.lstmLayer(projected, h, c, whh, bhh, reverse);   // (L, 2, N, H): h and c of every step
            int last = reverse ? 0 : steps - 1;
            Tensor hc = Sequence.select(all, 0, last);
            return new Tensor[] {Sequence.select(all, 1, 0), Sequence.select(hc, 0, 0), Sequence.select(hc, 0, 1)};
        }
        Tensor[] out = new Tensor[steps];
        for (int i = 0; i < steps; i++) {
            int t = reverse ? steps - 1 - i : i;
            Tensor[] hc = Cells.step(mode, Sequence.select(projected, 0, t), h, c, whh, bhh, whr);
            h = hc[0];
            c = hc[1];
            out[t] = h;
        }
        Tensor outputs = steps == 0 ? Tensor.zeros(0, x.size(1), h.size(1)) : ShapeOps.stack(Arrays.asList(out), 0);
        return new Tensor[] {outputs, h, c};
    }

    static Tensor oneMinus(Tensor z) {
        return Arithmetic.sub(1.0, z);
    }
}
