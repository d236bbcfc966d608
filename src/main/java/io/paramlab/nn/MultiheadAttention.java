package io.paramlab.nn;

import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.tensor.Arithmetic;
import io.paramlab.tensor.Attention;
import io.paramlab.tensor.Dtype;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.MatMul;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.ShapeOps;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code nn.MultiheadAttention}: {@code in_proj_weight} [3E, E] packed (or q/k/v_proj_weight when
 * kdim or vdim differ from embed_dim), {@code in_proj_bias} [3E], {@code bias_k}/{@code bias_v}
 * [1, 1, E] with add_bias_kv, and the child {@code out_proj} (a NonDynamicallyQuantizableLinear,
 * drawn first, as its constructor runs before {@code _reset_parameters}). The forward is
 * {@code F.multi_head_attention_forward}'s reference path, composed from engine ops; bool masks
 * become 0 / -inf, float masks are added to the scores.
 */
public final class MultiheadAttention extends Module {
    private final int embedDim;
    private final int numHeads;
    private final double dropout;
    private final boolean bias;
    private final boolean addBiasKv;
    private final boolean addZeroAttn;
    private final int kdim;
    private final int vdim;
    private final boolean batchFirst;
    private final Generator generator;

    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean addBiasKv, boolean addZeroAttn,
                              int kdim, int vdim, boolean batchFirst, Generator generator) {
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.bias = bias;
        this.addBiasKv = addBiasKv;
        this.addZeroAttn = addZeroAttn;
        this.kdim = kdim;
        this.vdim = vdim;
        this.batchFirst = batchFirst;
        this.generator = generator;
        if (!packed()) {
            parameter("q_proj_weight", embedDim, embedDim);
            parameter("k_proj_weight", embedDim, kdim);
            parameter("v_proj_weight", embedDim, vdim);
        } else {
            parameter("in_proj_weight", 3 * embedDim, embedDim);
        }
        if (bias) {
            parameter("in_proj_bias", 3 * embedDim);
        }
        Linear outProj = new Linear(embedDim, embedDim, bias, generator).named("NonDynamicallyQuantizableLinear");
        if (addBiasKv) {
            parameter("bias_k", 1, 1, embedDim);
            parameter("bias_v", 1, 1, embedDim);
        }
        addModule("out_proj", outProj);
        for (String name : List.of("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight")) {
            if (localParameters().containsKey(name)) resetParameter(name, generator);
        }
        if (bias) {
            resetParameter("in_proj_bias", generator);
            Arrays.fill(outProj.localParameters().get("bias").data(), 0f);
        }
        if (addBiasKv) {
            resetParameter("bias_k", generator);
            resetParameter("bias_v", generator);
        }
    }

    private boolean packed() {
        return kdim == embedDim && vdim == embedDim;
    }

    private void parameter(String name, int... shape) {
        registerParameter(name, Tensor.parameter(new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)], shape));
    }

    /** {@code _reset_parameters()}: xavier_uniform for the projections, zeros for in_proj_bias, xavier_normal for bias_k/v. */
    @Override
    public void resetParameter(String name, Generator generator) {
        Tensor p = localParameters().get(name);
        if (p == null) {
            super.resetParameter(name, generator);
        }
        InitPolicy policy = switch (name) {
            case "in_proj_bias" -> new InitPolicy.Zeros();
            case "bias_k", "bias_v" -> new InitPolicy.XavierNormal(1);
            default -> new InitPolicy.XavierUniform(1);
        };
        Initializer.apply(policy, p.data(), p.shape(), generator);
    }

    @Override
    protected boolean forwardWritesInTraining() {
        return dropout > 0;
    }

    @Override
    protected boolean readsParametersByName() {
        return true;
    }

    @Override
    public String typeName() {
        return "MultiheadAttention";
    }

    private static final List<String> ARGUMENTS = List.of("query", "key", "value", "key_padding_mask", "need_weights", "attn_mask",
            "average_attn_weights");

    @Override
    public Tensor forward(Tensor input) {
        throw new ShapeException("forward() missing 2 required positional arguments: 'key' and 'value'");
    }

    /** {@code forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, average_attn_weights=True)}. */
    @Override
    public Object forward(List<Object> args, Map<String, Object> kwargs) {
        List<Object> a = Cells.bind(typeName(), ARGUMENTS, args, kwargs);
        for (int i = 1; i < 3; i++) {
            if (a.get(i) == null) {
                throw new ShapeException("forward() missing 1 required positional argument: '" + ARGUMENTS.get(i) + "'");
            }
        }
        boolean needWeights = flag(a.get(4), true);
        boolean average = flag(a.get(6), true);
        Tensor[] out = attend(Cells.tensor(a.get(0), "query"), Cells.tensor(a.get(1), "key"), Cells.tensor(a.get(2), "value"),
                (Tensor) a.get(3), needWeights, (Tensor) a.get(5), average);
        List<Object> result = new ArrayList<>();
        result.add(out[0]);
        result.add(out[1]);
        return result;
    }

    private static boolean flag(Object value, boolean defaultValue) {
        if (value == null) return defaultValue;
        if (value instanceof Boolean b) return b;
        if (value instanceof Tensor t && t.numel() == 1) return t.item() != 0;
        throw new ShapeException("need_weights and average_attn_weights are bools, got " + describe(value));
    }

    /** The attention output and (with needWeights) its weights, as PyTorch's reference path computes them. */
    public Tensor[] attend(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
                           boolean average) {
        boolean batched = query.dim() == 3;
        if (query.dim() != 2 && query.dim() != 3) {
            throw new ShapeException("query should be unbatched 2D or batched 3D tensor but received " + query.dim() + "-D query tensor");
        }
        if (key.dim() != query.dim() || value.dim() != query.dim()) {
            throw new ShapeException("For " + (batched ? "batched (3-D)" : "unbatched (2-D)") + " `query`, expected `key` and `value` to be "
                    + (batched ? "3-D" : "2-D") + " but found " + key.dim() + "-D and " + value.dim() + "-D tensors respectively");
        }
        boolean self = query == key && key == value;
        if (!batched) {
            query = ShapeOps.unsqueeze(query, 1);
            key = self ? query : ShapeOps.unsqueeze(key, 1);
            value = self ? query : ShapeOps.unsqueeze(value, 1);
            if (keyPaddingMask != null) keyPaddingMask = ShapeOps.unsqueeze(keyPaddingMask, 0);
        }
        if (!needWeights && !addBiasKv && !addZeroAttn && fusable(query, key, value, batchFirst && batched)
                && (attnMask == null || !attnMask.requiresGrad()) && (keyPaddingMask == null || !keyPaddingMask.requiresGrad())) {
            Tensor out = attendFused(query, key, value, self, keyPaddingMask, attnMask, batchFirst && batched);
            return new Tensor[] {batched ? out : ShapeOps.squeeze(out, 1), null};
        }
        if (batchFirst && batched) {
            query = ShapeOps.transpose(query, 0, 1);
            key = ShapeOps.transpose(key, 0, 1);
            value = ShapeOps.transpose(value, 0, 1);
        }
        int tgtLen = query.size(0);
        int bsz = query.size(1);
        int srcLen = key.size(0);
        int headDim = embedDim / numHeads;
        if (query.size(2) != embedDim) {
            throw new ShapeException("was expecting embedding dimension of " + embedDim + ", but got " + query.size(2));
        }
        if (key.size(0) != value.size(0) || key.size(1) != value.size(1)) {
            throw new ShapeException("key shape " + Arrays.toString(key.shape()) + " does not match value shape " + Arrays.toString(value.shape()));
        }
        Map<String, Tensor> p = localParameters();
        Tensor b = p.get("in_proj_bias");
        Tensor wq = packed() ? ShapeOps.narrow(p.get("in_proj_weight"), 0, 0, embedDim) : p.get("q_proj_weight");
        Tensor wk = packed() ? ShapeOps.narrow(p.get("in_proj_weight"), 0, embedDim, embedDim) : p.get("k_proj_weight");
        Tensor wv = packed() ? ShapeOps.narrow(p.get("in_proj_weight"), 0, 2 * embedDim, embedDim) : p.get("v_proj_weight");
        if (key.size(2) != wk.size(1) || value.size(2) != wv.size(1)) {
            throw new ShapeException("mat1 and mat2 shapes cannot be multiplied (" + key.size(0) * key.size(1) + "x" + key.size(2)
                    + " and " + wk.size(1) + "x" + embedDim + ")");
        }
        Tensor q = Functional.linear(query, wq, b == null ? null : ShapeOps.narrow(b, 0, 0, embedDim));
        Tensor k = Functional.linear(key, wk, b == null ? null : ShapeOps.narrow(b, 0, embedDim, embedDim));
        Tensor v = Functional.linear(value, wv, b == null ? null : ShapeOps.narrow(b, 0, 2 * embedDim, embedDim));

        Tensor mask = attnMask == null ? null : attentionMask(attnMask, tgtLen, srcLen, bsz);   // (1 or B*H, L, S), float
        Tensor padding = keyPaddingMask == null ? null : floatMask(keyPaddingMask, "key_padding_mask");
        if (padding != null && !Arrays.equals(padding.shape(), new int[] {bsz, srcLen})) {
            throw new ShapeException("expecting key_padding_mask shape of (" + bsz + ", " + srcLen + "), but got "
                    + TensorData.torchSize(padding.shape()));
        }
        if (addBiasKv) {
            k = ShapeOps.cat(List.of(k, ShapeOps.expand(p.get("bias_k"), 1, bsz, embedDim)), 0);
            v = ShapeOps.cat(List.of(v, ShapeOps.expand(p.get("bias_v"), 1, bsz, embedDim)), 0);
            mask = mask == null ? null : padLast(mask);
            padding = padding == null ? null : padLast(padding);
        }
        q = ShapeOps.transpose(ShapeOps.reshape(q, tgtLen, bsz * numHeads, headDim), 0, 1);
        k = ShapeOps.transpose(ShapeOps.reshape(k, k.size(0), bsz * numHeads, headDim), 0, 1);
        v = ShapeOps.transpose(ShapeOps.reshape(v, v.size(0), bsz * numHeads, headDim), 0, 1);
        if (addZeroAttn) {
            k = ShapeOps.cat(List.of(k, Tensor.zeros(bsz * numHeads, 1, headDim)), 1);
            v = ShapeOps.cat(List.of(v, Tensor.zeros(bsz * numHeads, 1, headDim)), 1);
            mask = mask == null ? null : padLast(mask);
            padding = padding == null ? null : padLast(padding);
        }
        int src = k.size(1);
        if (padding != null) {
            Tensor perHead = ShapeOps.reshape(ShapeOps.expand(ShapeOps.reshape(padding, bsz, 1, 1, src), bsz, numHeads, 1, src),
                    bsz * numHeads, 1, src);
            mask = mask == null ? perHead : Arithmetic.add(mask, perHead);
        }
        Tensor scores = MatMul.bmm(Arithmetic.div(q, Math.sqrt(headDim)), ShapeOps.transpose(k, 1, 2));
        if (mask != null) {
            scores = Arithmetic.add(mask, scores);
        }
        Tensor weights = Functional.softmax(scores, -1);
        if (dropout > 0 && isTraining()) {
            weights = Functional.dropout(weights, dropout, true, generator);
        }
        Tensor out = MatMul.bmm(weights, v);                                                    // (B*H, L, hd)
        out = ShapeOps.reshape(ShapeOps.transpose(out, 0, 1), tgtLen * bsz, embedDim);
        out = submodule("out_proj").forward(out);
        out = ShapeOps.reshape(out, tgtLen, bsz, embedDim);
        if (batchFirst && batched) out = ShapeOps.transpose(out, 0, 1);
        if (!batched) out = ShapeOps.squeeze(out, 1);
        Tensor w = null;
        if (needWeights) {
            w = ShapeOps.reshape(weights, bsz, numHeads, tgtLen, src);
            if (average) w = Arithmetic.div(io.paramlab.tensor.Reductions.sum(w, new int[] {1}, false), numHeads);
            if (!batched) w = ShapeOps.squeeze(w, 0);
        }
        return new Tensor[] {out, w};
    }

    /**
     * Whether {@link #attendFused} can take these: 3-D float inputs of this module's widths whose batch
     * sizes and key/value lengths agree (anything else goes the composed way, which says what is wrong).
     */
    private boolean fusable(Tensor query, Tensor key, Tensor value, boolean batchFirstLayout) {
        int seq = batchFirstLayout ? 1 : 0;
        int batch = 1 - seq;
        return query.dim() == 3 && key.dim() == 3 && value.dim() == 3 && query.size(2) == embedDim && embedDim % numHeads == 0
                && key.size(2) == kdim && value.size(2) == vdim && key.size(batch) == query.size(batch)
                && value.size(batch) == query.size(batch) && key.size(seq) == value.size(seq)
                && query.dtype() == Dtype.FLOAT32 && key.dtype() == Dtype.FLOAT32 && value.dtype() == Dtype.FLOAT32;
    }

    /**
     * The output without weights through the one attention op ({@link Attention#multiHead}): the inputs
     * stay in their layout ((N, L, E) with batch_first, no transposes), self-attention with packed
     * weights is one linear with in_proj_weight, and the heads are read from the projections in place.
     */
    private Tensor attendFused(Tensor query, Tensor key, Tensor value, boolean self, Tensor keyPaddingMask, Tensor attnMask, boolean batchFirstLayout) {
        int seq = batchFirstLayout ? 1 : 0;
        int tgtLen = query.size(seq);
        int bsz = query.size(1 - seq);
        int srcLen = key.size(seq);
        Tensor mask = attnMask == null ? null : attentionMask(attnMask, tgtLen, srcLen, bsz);
        Tensor padding = keyPaddingMask == null ? null : floatMask(keyPaddingMask, "key_padding_mask");
        if (padding != null && !Arrays.equals(padding.shape(), new int[] {bsz, srcLen})) {
            throw new ShapeException("expecting key_padding_mask shape of (" + bsz + ", " + srcLen + "), but got "
                    + TensorData.torchSize(padding.shape()));
        }
        if (padding != null) {
            Tensor perHead = ShapeOps.reshape(ShapeOps.expand(ShapeOps.reshape(padding, bsz, 1, 1, srcLen), bsz, numHeads, 1, srcLen),
                    bsz * numHeads, 1, srcLen);
            mask = mask == null ? perHead : Arithmetic.add(mask, perHead);
        }
        if (mask != null && mask.size(1) != tgtLen) {
            mask = ShapeOps.contiguous(ShapeOps.expand(mask, mask.size(0), tgtLen, srcLen));
        }
        Map<String, Tensor> p = localParameters();
        Tensor b = p.get("in_proj_bias");
        int headDim = embedDim / numHeads;
        double drop = isTraining() ? dropout : 0;
        Tensor out;
        if (packed() && self) {
            Tensor qkv = Functional.linear(query, p.get("in_proj_weight"), b);
            out = Attention.multiHead(qkv, 0, qkv, embedDim, qkv, 2 * embedDim, numHeads, headDim, batchFirstLayout, mask, drop, generator);
        } else {
            Tensor wq = packed() ? ShapeOps.narrow(p.get("in_proj_weight"), 0, 0, embedDim) : p.get("q_proj_weight");
            Tensor wk = packed() ? ShapeOps.narrow(p.get("in_proj_weight"), 0, embedDim, embedDim) : p.get("k_proj_weight");
            Tensor wv = packed() ? ShapeOps.narrow(p.get("in_proj_weight"), 0, 2 * embedDim, embedDim) : p.get("v_proj_weight");
            Tensor q = Functional.linear(query, wq, b == null ? null : ShapeOps.narrow(b, 0, 0, embedDim));
            Tensor k = Functional.linear(key, wk, b == null ? null : ShapeOps.narrow(b, 0, embedDim, embedDim));
            Tensor v = Functional.linear(value, wv, b == null ? null : ShapeOps.narrow(b, 0, 2 * embedDim, embedDim));
            out = Attention.multiHead(q, 0, k, 0, v, 0, numHeads, headDim, batchFirstLayout, mask, drop, generator);
        }
        return submodule("out_proj").forward(out);
    }

    /** A 2-D (L, S) or 3-D (B*H, L, S) attn_mask, as a float mask of 3 dims. */
    private Tensor attentionMask(Tensor attnMask, int tgtLen, int srcLen, int bsz) {
        Tensor m = floatMask(attnMask, "attn_mask");
        if (m.dim() == 2) {
            if (!Arrays.equals(m.shape(), new int[] {tgtLen, srcLen})) {
                throw new ShapeException("The shape of the 2D attn_mask is " + TensorData.torchSize(m.shape()) + ", but should be ("
                        + tgtLen + ", " + srcLen + ").");
            }
            return ShapeOps.unsqueeze(m, 0);
        }
        if (m.dim() == 3) {
            if (!Arrays.equals(m.shape(), new int[] {bsz * numHeads, tgtLen, srcLen})) {
                throw new ShapeException("The shape of the 3D attn_mask is " + TensorData.torchSize(m.shape()) + ", but should be ("
                        + bsz * numHeads + ", " + tgtLen + ", " + srcLen + ").");
            }
            return m;
        }
        throw new ShapeException("attn_mask's dimension " + m.dim() + " is not supported");
    }

    /** A bool mask as 0 / -inf, a float mask as it is; another dtype is refused, as PyTorch does. */
    static Tensor floatMask(Tensor mask, String name) {
        if (mask.dtype() == Dtype.BOOL) {
            return Arithmetic.maskedFill(Tensor.zeros(mask.shape()), mask, Double.NEGATIVE_INFINITY);
        }
        if (mask.dtype() != Dtype.FLOAT32) {
            throw new ShapeException("only bool and floating types of " + (name.equals("attn_mask") ? "attn_mask" : "key_padding_mask")
                    + " are supported");
        }
        return mask;
    }

    /** {@code F.pad(mask, (0, 1))}: one more key position, not masked. */
    private static Tensor padLast(Tensor mask) {
        int[] s = mask.shape();
        s[s.length - 1] = 1;
        return ShapeOps.cat(List.of(mask, Tensor.zeros(s)), mask.dim() - 1);
    }
}
