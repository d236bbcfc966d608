package io.paramlab.tensor;

import io.paramlab.tensor.Indexing.Index;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.paramlab.tensor.GradCheck.of;
import static io.paramlab.tensor.GradCheck.ofMany;
import static io.paramlab.tensor.GradCheck.positive;
import static io.paramlab.tensor.GradCheck.randn;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every op of the engine against finite differences ({@link GradCheck}): one line per case.
 * Add a case to the list of your ops' family (each family has its own method, so branches that
 * add cases in parallel do not touch the same lines).
 */
class GradCheckTest {

    static Stream<GradCheck.Case> cases() {
        return Stream.of(arithmetic(), reductions(), shapeOps(), indexing(), matmul(), functional(), losses(),
                convCases(), graphCases(), sequenceCases(), convSpeedCases(), attentionCases()).flatMap(s -> s);
    }

    static Stream<GradCheck.Case> arithmetic() {
        return Stream.of(
                of("add same shape", in -> Arithmetic.add(in[0], in[1]), randn(2, 3), randn(2, 3)),
                of("add broadcast both ways", in -> Arithmetic.add(in[0], in[1]), randn(2, 1, 3), randn(4, 1)),
                of("add scalar tensor", in -> Arithmetic.add(in[0], in[1]), randn(2, 3), randn()),
                of("add int64 operand", in -> Arithmetic.add(in[0], in[1]), randn(2, 3), Tensor.ofLongs(new long[] {1, 2, 3}, 3)),
                of("add scalar", in -> Arithmetic.add(in[0], 2.5), randn(2, 3)),
                of("sub broadcast", in -> Arithmetic.sub(in[0], in[1]), randn(3, 1), randn(1, 4)),
                of("sub scalar", in -> Arithmetic.sub(in[0], 1.5), randn(4)),
                of("rsub scalar", in -> Arithmetic.sub(1.5, in[0]), randn(4)),
                of("mul broadcast", in -> Arithmetic.mul(in[0], in[1]), randn(2, 3, 4), randn(3, 1)),
                of("mul same tensor twice", in -> Arithmetic.mul(in[0], in[0]), randn(5)),
                of("mul scalar", in -> Arithmetic.mul(in[0], -3.0), randn(2, 2)),
                of("div broadcast", in -> Arithmetic.div(in[0], in[1]), randn(2, 3), positive(3)),
                of("div by negative", in -> Arithmetic.div(in[0], in[1]), randn(4), Arithmetic.neg(positive(4))),
                of("div scalar", in -> Arithmetic.div(in[0], 4.0), randn(3)),
                of("rdiv scalar", in -> Arithmetic.div(2.0, in[0]), positive(3)),
                of("neg", in -> Arithmetic.neg(in[0]), randn(2, 3)),
                of("exp", in -> Arithmetic.exp(in[0]), randn(2, 3)),
                of("sqrt", in -> Arithmetic.sqrt(in[0]), positive(2, 3)),
                of("pow 3", in -> Arithmetic.pow(in[0], 3), randn(2, 3)),
                of("pow -0.5", in -> Arithmetic.pow(in[0], -0.5), positive(4)),
                of("masked_fill", in -> Arithmetic.maskedFill(in[0], Arithmetic.gt(in[1], 0), -1.5), randn(2, 3), randn(3)),
                of("masked_fill broadcasting x", in -> Arithmetic.maskedFill(in[0], Arithmetic.lt(in[1], 0), 0), randn(1, 3), randn(2, 3)));
    }

    static Stream<GradCheck.Case> reductions() {
        return Stream.of(
                of("sum all", in -> Reductions.sum(in[0]), randn(2, 3)),
                of("sum dim 1", in -> Reductions.sum(in[0], new int[] {1}, false), randn(2, 3, 4)),
                of("sum dims 0,2 keepdim", in -> Reductions.sum(in[0], new int[] {0, -1}, true), randn(2, 3, 4)),
                of("mean all", in -> Reductions.mean(in[0]), randn(2, 3)),
                of("mean dim -1", in -> Reductions.mean(in[0], new int[] {-1}, false), randn(2, 3, 4)),
                of("mean dims 2,3 keepdim", in -> Reductions.mean(in[0], new int[] {2, 3}, true), randn(2, 2, 3, 3)));
    }

    static Stream<GradCheck.Case> shapeOps() {
        return Stream.of(
                of("view -1", in -> ShapeOps.view(in[0], 3, -1), randn(2, 3, 2)),
                of("reshape", in -> ShapeOps.reshape(in[0], 6), randn(2, 3)),
                of("permute", in -> ShapeOps.permute(in[0], 2, 0, 1), randn(2, 3, 4)),
                of("transpose", in -> ShapeOps.transpose(in[0], 0, -1), randn(2, 3, 4)),
                of("flatten", in -> ShapeOps.flatten(in[0], 1, 2), randn(2, 3, 2, 2)),
                of("unsqueeze", in -> ShapeOps.unsqueeze(in[0], -1), randn(2, 3)),
                of("squeeze all", in -> ShapeOps.squeeze(in[0]), randn(2, 1, 3, 1)),
                of("squeeze dim", in -> ShapeOps.squeeze(in[0], 1), randn(2, 1, 3)),
                of("expand", in -> ShapeOps.expand(in[0], 4, -1, 3), randn(2, 1)),
                of("contiguous of a transpose", in -> ShapeOps.contiguous(ShapeOps.transpose(in[0], 0, 1)), randn(3, 2)),
                of("cat dim 1", in -> ShapeOps.cat(List.of(in[0], in[1], in[0]), 1), randn(2, 2), randn(2, 3)),
                of("stack dim -1", in -> ShapeOps.stack(List.of(in[0], in[1]), -1), randn(2, 3), randn(2, 3)),
                ofMany("split size", in -> ShapeOps.split(in[0], 2, 1), randn(2, 5)),
                ofMany("split sizes", in -> ShapeOps.split(in[0], new int[] {1, 3}, 0), randn(4, 2)),
                ofMany("chunk", in -> ShapeOps.chunk(in[0], 3, -1), randn(2, 7)),
                of("narrow", in -> ShapeOps.narrow(in[0], 1, 1, 2), randn(2, 4)));
    }

    static Stream<GradCheck.Case> indexing() {
        return Stream.of(
                of("getitem int", in -> Indexing.getItem(in[0], Index.at(-1)), randn(3, 2)),
                of("getitem step slice and None", in -> Indexing.getItem(in[0], Index.all(), Index.newAxis(),
                        Index.slice(1, null, 2)), randn(2, 5)),
                of("getitem ellipsis", in -> Indexing.getItem(in[0], Index.ellipsis(), Index.at(0)), randn(2, 3, 2)),
                of("getitem same element twice", in -> ShapeOps.cat(List.of(ShapeOps.unsqueeze(Indexing.getItem(in[0], Index.at(1)), 0),
                        Indexing.getItem(in[0], Index.slice(1, 2, 1))), 0), randn(3)));
    }

    static Stream<GradCheck.Case> matmul() {
        return Stream.of(
                of("matmul 1-D 1-D", in -> MatMul.matmul(in[0], in[1]), randn(4), randn(4)),
                of("matmul 2-D 1-D", in -> MatMul.matmul(in[0], in[1]), randn(3, 4), randn(4)),
                of("matmul 1-D 2-D", in -> MatMul.matmul(in[0], in[1]), randn(4), randn(4, 3)),
                of("matmul 2-D 2-D", in -> MatMul.matmul(in[0], in[1]), randn(2, 4), randn(4, 3)),
                of("matmul 3-D 2-D folded", in -> MatMul.matmul(in[0], in[1]), randn(2, 2, 4), randn(4, 3)),
                of("matmul 3-D 1-D folded", in -> MatMul.matmul(in[0], in[1]), randn(2, 2, 4), randn(4)),
                of("matmul 2-D 3-D", in -> MatMul.matmul(in[0], in[1]), randn(2, 4), randn(3, 4, 2)),
                of("matmul 1-D 3-D", in -> MatMul.matmul(in[0], in[1]), randn(4), randn(3, 4, 2)),
                of("matmul broadcast batch", in -> MatMul.matmul(in[0], in[1]), randn(2, 1, 2, 3), randn(3, 3, 2)),
                of("bmm", in -> MatMul.bmm(in[0], in[1]), randn(2, 3, 4), randn(2, 4, 2)));
    }

    static Stream<GradCheck.Case> functional() {
        return Stream.of(
                of("linear", in -> Functional.linear(in[0], in[1], in[2]), randn(3, 4), randn(2, 4), randn(2)),
                of("linear no bias, 3-D input", in -> Functional.linear(in[0], in[1], null), randn(2, 2, 4), randn(3, 4)),
                of("relu", in -> Functional.relu(in[0]), randn(2, 5)),
                of("leaky_relu", in -> Functional.leakyRelu(in[0], 0.2), randn(2, 5)),
                of("sigmoid", in -> Functional.sigmoid(in[0]), randn(2, 5)),
                of("tanh", in -> Functional.tanh(in[0]), randn(2, 5)),
                of("gelu", in -> Functional.gelu(in[0], false), randn(2, 5)),
                of("gelu tanh", in -> Functional.gelu(in[0], true), randn(2, 5)),
                of("softmax dim 1 of 3", in -> Functional.softmax(in[0], 1), randn(2, 3, 2)),
                of("softmax dim -1", in -> Functional.softmax(in[0], -1), randn(2, 4)),
                of("log_softmax dim 0", in -> Functional.logSoftmax(in[0], 0), randn(3, 2)),
                of("log_softmax dim -1", in -> Functional.logSoftmax(in[0], -1), randn(2, 2, 4)),
                of("dropout training", in -> Functional.dropout(in[0], 0.4, true, new Generator(3)), randn(3, 4)),
                of("flatten", in -> Functional.flatten(in[0], 0, 1), randn(2, 3)),
                of("layer_norm", in -> Functional.layerNorm(in[0], new int[] {4}, in[1], in[2], 1e-5), randn(3, 4), randn(4), randn(4)),
                of("layer_norm 2 dims, no affine", in -> Functional.layerNorm(in[0], new int[] {2, 3}, null, null, 1e-5), randn(2, 2, 3)),
                of("batch_norm training", in -> Functional.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5),
                        randn(4, 3), randn(3), randn(3)),
                of("batch_norm 3-D eval", in -> Functional.batchNorm(in[0], Tensor.full(0.2f, 2), Tensor.full(1.5f, 2), in[1], in[2], false, 0.1, 1e-5),
                        randn(3, 2, 2), randn(2), randn(2)));
    }

    static Stream<GradCheck.Case> losses() {
        return Stream.of(
                of("sum", in -> Losses.sum(in[0]), randn(2, 3)),
                of("mean", in -> Losses.mean(in[0]), randn(2, 3)),
                of("mse", in -> Losses.mse(in[0], in[1]), randn(2, 3), randn(2, 3)),
                of("l1", in -> Losses.l1(in[0], in[1]), randn(2, 3), randn(2, 3)),
                of("cross_entropy", in -> Losses.crossEntropy(in[0], in[1]), randn(3, 4), Tensor.ofLongs(new long[] {2, 0, 3}, 3)),
                of("cross_entropy ignore_index", in -> Losses.crossEntropy(in[0], in[1]), randn(3, 4),
                        Tensor.ofLongs(new long[] {1, -100, 3}, 3)),
                of("bce_with_logits", in -> Losses.bceWithLogits(in[0], in[1]), randn(2, 3), positive(2, 3)));
    }

    /** The convolution, pooling, normalization and activation ops (helper "conv"). */
    /** Distinct values 0.1 apart in a shuffled order: no two within a finite difference's step, so a max never flips. */
    static Tensor spaced(int... shape) {
        int n = Shapes.numel(shape);
        List<Integer> order = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, n).boxed().toList());
        java.util.Collections.shuffle(order, new Random(n));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (order.get(i) - n / 2) * 0.1f;
        return Tensor.parameter(v, shape);
    }

    static Stream<GradCheck.Case> convCases() {
        int[] one = {1, 1};
        int[] zero = {0, 0};
        return Stream.of(
                of("conv2d groups stride padding dilation", in -> Convolution.conv(in[0], in[1], in[2], new int[] {2, 1},
                        new int[] {1, 2}, new int[] {1, 2}, 2), randn(2, 4, 5, 6), randn(6, 2, 3, 2), randn(6)),
                of("conv2d asymmetric padding", in -> Convolution.conv(in[0], in[1], null, one, new int[] {0, 1}, new int[] {1, 2},
                        one, 1), randn(1, 2, 4, 4), randn(3, 2, 2, 3)),
                of("conv2d depthwise", in -> Convolution.conv(in[0], in[1], in[2], new int[] {2, 2}, one, one, 3),
                        randn(2, 3, 5, 5), randn(6, 1, 3, 3), randn(6)),
                of("conv2d pointwise", in -> Convolution.conv(in[0], in[1], null, one, zero, one, 1), randn(2, 3, 3, 3), randn(4, 3, 1, 1)),
                // the speed paths (helper "bench"): a depthwise stencil with dilation, stride and asymmetric padding
                // over its zero-bordered plane; a pointwise product straight on one sample's plane; several
                // samples side by side in one product with groups
                of("conv2d depthwise dilation asymmetric padding", in -> Convolution.conv(in[0], in[1], in[2], new int[] {1, 2},
                        new int[] {2, 0}, new int[] {1, 2}, new int[] {2, 1}, 3), randn(2, 3, 6, 5), randn(3, 1, 3, 2), randn(3)),
                of("conv1d depthwise multiplier 2", in -> Convolution.conv(in[0], in[1], null, new int[] {2}, new int[] {1},
                        new int[] {1}, 2), randn(3, 2, 7), randn(4, 1, 3)),
                of("conv2d pointwise one sample", in -> Convolution.conv(in[0], in[1], in[2], one, zero, one, 1),
                        randn(1, 3, 3, 3), randn(4, 3, 1, 1), randn(4)),
                of("conv2d groups, samples side by side", in -> Convolution.conv(in[0], in[1], in[2], new int[] {2, 2},
                        one, one, 2), randn(5, 4, 4, 4), randn(6, 2, 3, 3), randn(6)),
                of("conv1d unbatched", in -> Convolution.conv(in[0], in[1], in[2], new int[] {2}, new int[] {1}, new int[] {2}, 1),
                        randn(3, 9), randn(2, 3, 3), randn(2)),
                of("pad reflect", in -> Padding.pad(in[0], new int[] {1, 2, 2, 1}, Padding.Mode.REFLECT, 0), randn(1, 2, 3, 4)),
                of("pad replicate", in -> Padding.pad(in[0], new int[] {2, 1}, Padding.Mode.REPLICATE, 0), randn(2, 3)),
                of("pad circular", in -> Padding.pad(in[0], new int[] {1, 2, 2, 1}, Padding.Mode.CIRCULAR, 0), randn(1, 2, 3, 4)),
                of("pad constant", in -> Padding.pad(in[0], new int[] {1, 1}, Padding.Mode.CONSTANT, 0.5), randn(2, 3)),
                of("max_pool2d ceil", in -> Pooling.maxPool(in[0], new int[] {3, 3}, new int[] {2, 2}, one, one, true), spaced(2, 2, 6, 6)),
                of("max_pool1d dilated", in -> Pooling.maxPool(in[0], new int[] {2}, new int[] {1}, new int[] {0}, new int[] {2}, false),
                        spaced(2, 7)),
                of("avg_pool2d no pad count", in -> Pooling.avgPool(in[0], new int[] {3, 3}, new int[] {2, 2}, one, true, false, 0),
                        randn(1, 2, 6, 6)),
                of("avg_pool1d divisor", in -> Pooling.avgPool(in[0], new int[] {3}, new int[] {2}, new int[] {1}, false, true, 2),
                        randn(2, 2, 7)),
                of("adaptive_avg_pool2d", in -> Pooling.adaptiveAvgPool(in[0], new int[] {3, 2}), randn(2, 7, 5)),
                of("adaptive_max_pool2d", in -> Pooling.adaptiveMaxPool(in[0], new int[] {2, -1}), spaced(1, 2, 5, 3)),
                of("batch_norm 4d training", in -> Functional.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5),
                        randn(3, 2, 2, 2), randn(2), randn(2)),
                of("group_norm", in -> Functional.groupNorm(in[0], 2, in[1], in[2], 1e-5), randn(2, 4, 3), randn(4), randn(4)),
                of("relu6", in -> Activations.relu6(Arithmetic.mul(in[0], 4.0)), randn(3, 4)),
                of("silu", in -> Activations.silu(in[0]), randn(3, 4)),
                of("hardswish", in -> Activations.hardswish(Arithmetic.mul(in[0], 2.0)), randn(3, 4)),
                of("hardsigmoid", in -> Activations.hardsigmoid(Arithmetic.mul(in[0], 2.0)), randn(3, 4)),
                of("mish", in -> Activations.mish(in[0]), randn(3, 4)),
                of("elu", in -> Activations.elu(in[0], 0.7), randn(3, 4)),
                of("softplus", in -> Activations.softplus(in[0], 2, 1.5), randn(3, 4)),
                of("stochastic_depth row", in -> Activations.stochasticDepth(in[0], 0.5, "row", true, new Random(3)::nextDouble),
                        randn(4, 3)));
    }

    /**
     * The attention op (helper "attn"): one packed (N, L, 3E) projection read as q, k and v, batch first and
     * sequence first, separate q, k, v of another source length with per-head and shared float masks, dropout
     * (a fresh generator per evaluation, so the same mask), and a size large enough for the BLAS path.
     */
    static Stream<GradCheck.Case> attentionCases() {
        Tensor perHead = Tensor.of(randn(4, 3, 5).data(), 4, 3, 5);
        Tensor shared = Tensor.of(randn(1, 3, 4).data(), 1, 3, 4);
        return Stream.of(
                of("attention packed, batch first", in -> Attention.multiHead(in[0], 0, in[0], 4, in[0], 8, 2, 2, true, null, 0, null),
                        randn(2, 3, 12)),
                of("attention packed, sequence first", in -> Attention.multiHead(in[0], 0, in[0], 4, in[0], 8, 2, 2, false, null, 0, null),
                        randn(3, 2, 12)),
                of("attention q, k, v apart, per-head mask", in -> Attention.multiHead(in[0], 0, in[1], 2, in[2], 0, 2, 3, false,
                        perHead, 0, null), randn(3, 2, 6), randn(5, 2, 9), randn(5, 2, 6)),
                of("attention shared mask, dropout", in -> Attention.multiHead(in[0], 0, in[1], 0, in[2], 0, 2, 2, true,
                        shared, 0.3, new Generator(5)), randn(2, 3, 4), randn(2, 4, 4),
                        randn(2, 4, 4)),
                of("attention through BLAS (L 20, S 18, head 16)", in -> Attention.multiHead(in[0], 0, in[1], 0, in[1], 16, 1, 16, true,
                        null, 0.2, new Generator(9)), randn(1, 20, 16), randn(1, 18, 32)));
    }

    /** The ops the fx graph's functions and methods add (helper "graph"): cross_entropy's K-dimensional form and options. */
    static Stream<GradCheck.Case> graphCases() {
        return Stream.of(
                of("cross_entropy (N, C, d1, d2)", in -> Losses.crossEntropy(in[0], in[1]), randn(2, 3, 2, 2),
                        Tensor.ofLongs(new long[] {0, 2, 1, 1, 2, 0, 0, 1}, 2, 2, 2)),
                of("cross_entropy (N, C, d) ignore_index 1, label_smoothing 0.2",
                        in -> Losses.crossEntropy(in[0], in[1], 1, 0.2), randn(2, 4, 3),
                        Tensor.ofLongs(new long[] {0, 1, 3, 2, 1, 1}, 2, 3)),
                of("cross_entropy (C) label_smoothing 0.1", in -> Losses.crossEntropy(in[0], in[1], -100, 0.1), randn(5),
                        Tensor.ofLongs(new long[] {3})));
    }

    /**
     * The sequence ops (helper "seq"): the embedding lookup (its scatter-add gradient), select, and
     * the composed layers' input gradients (an LSTM step chain, a GRU, attention with a bool mask).
     */
    static Stream<GradCheck.Case> sequenceCases() {
        io.paramlab.nn.Recurrent lstm = new io.paramlab.nn.Recurrent(io.paramlab.nn.Recurrent.Mode.LSTM, 3, 4, 2, true, false, 0,
                true, 2, new Generator(5));
        io.paramlab.nn.Recurrent lstmFused = new io.paramlab.nn.Recurrent(io.paramlab.nn.Recurrent.Mode.LSTM, 3, 3, 2, true, false, 0,
                true, 0, new Generator(8));
        io.paramlab.nn.Recurrent gru = new io.paramlab.nn.Recurrent(io.paramlab.nn.Recurrent.Mode.GRU, 3, 4, 1, true, true, 0,
                false, 0, new Generator(6));
        io.paramlab.nn.MultiheadAttention mha = new io.paramlab.nn.MultiheadAttention(4, 2, 0, true, true, true, 3, 4, false,
                new Generator(7));
        Tensor mask = Tensor.ofBools(new boolean[] {false, true, false, false, false, false}, 2, 3);
        return Stream.of(
                of("embedding (repeated indices)", in -> Sequence.embedding(in[1], in[0], null), randn(5, 3),
                        Tensor.ofLongs(new long[] {4, 0, 4, 2, 1, 4}, 2, 3)),
                of("select dim 1", in -> Sequence.select(in[0], 1, 2), randn(2, 4, 3)),
                of("LSTM input and (h0, c0), 2 layers, bidirectional, proj_size",
                        in -> (Tensor) ((List<?>) lstm.forward(List.of(in[0], List.of(in[1], in[2])), java.util.Map.of())).get(0),
                        randn(3, 2, 3), randn(4, 2, 2), randn(4, 2, 4)),
                of("lstmLayer (fused): projected, h0, c0, weight_hh, bias_hh", in -> Sequence.lstmLayer(in[0], in[1], in[2], in[3], in[4], false),
                        randn(3, 2, 8), randn(2, 2), randn(2, 2), randn(8, 2), randn(8)),
                of("lstmLayer (fused) reverse, no bias, batch 1", in -> Sequence.lstmLayer(in[0], in[1], in[2], in[3], null, true),
                        randn(4, 1, 12), randn(1, 3), randn(1, 3), randn(12, 3)),
                of("LSTM (fused layers) input and (h0, c0), 2 layers, bidirectional",
                        in -> (Tensor) ((List<?>) lstmFused.forward(List.of(in[0], List.of(in[1], in[2])), java.util.Map.of())).get(0),
                        randn(3, 2, 3), randn(4, 2, 3), randn(4, 2, 3)),
                of("LSTM (fused layers) h_n and c_n",
                        in -> {
                            List<?> out = (List<?>) lstmFused.forward(List.of(in[0], List.of(in[1], in[2])), java.util.Map.of());
                            List<?> hc = (List<?>) out.get(1);
                            return Arithmetic.add((Tensor) hc.get(0), Arithmetic.mul((Tensor) hc.get(1), 0.5));
                        },
                        randn(3, 2, 3), randn(4, 2, 3), randn(4, 2, 3)),
                of("GRU input, batch_first", in -> gru.forward(in[0]), randn(2, 3, 3)),
                ofMany("MultiheadAttention query, key, value with a bool mask",
                        in -> List.of(mha.attend(in[0], in[1], in[2], null, true, mask, true)),
                        randn(2, 1, 4), randn(3, 1, 3), randn(3, 1, 4)));
    }

    /** Last, so that their random inputs do not shift the other families' draws. */
    static Stream<GradCheck.Case> convSpeedCases() {
        int[] one = {1, 1};
        return Stream.of(
                // stride 1: the depthwise stencil over the padded plane's grid (one long pass per tap)
                of("conv2d depthwise stride 1, dilation, asymmetric padding, multiplier 2", in -> Convolution.conv(in[0], in[1], in[2],
                        one, new int[] {2, 0}, new int[] {1, 2}, new int[] {2, 1}, 2), randn(2, 2, 6, 5), randn(4, 1, 3, 2), randn(4)),
                of("conv1d depthwise stride 1", in -> Convolution.conv(in[0], in[1], null, new int[] {1}, new int[] {2},
                        new int[] {1}, 3), randn(2, 3, 7), randn(3, 1, 3)),
                // stride 1, rows as wide as the input's ("same"): im2col copies each tap's rows in one piece
                of("conv2d same, dilation, asymmetric padding", in -> Convolution.conv(in[0], in[1], in[2], one,
                        new int[] {2, 1}, new int[] {2, 2}, new int[] {2, 1}, 1), randn(2, 2, 5, 6), randn(3, 2, 3, 4), randn(3)),
                // im2col, the products and col2im a tile of output rows at a time (large planes), here 2 rows a tile
                of("conv2d tiled, same 3x3 (contiguous im2col and col2im)", in -> tiled(2 * 18 * 5, () -> Convolution.conv(in[0], in[1],
                        in[2], one, one, one, 1)), randn(2, 2, 6, 5), randn(3, 2, 3, 3), randn(3)),
                of("conv2d tiled, stride 2, dilation, asymmetric padding", in -> tiled(2 * 12 * 7, () -> Convolution.conv(in[0], in[1],
                        null, new int[] {2, 1}, new int[] {1, 0}, new int[] {2, 1}, new int[] {1, 2}, 1)), randn(1, 2, 9, 8), randn(3, 2, 3, 2)),
                // an intermediate's first gradient is handed over without a copy (relu, batch_norm in place, add's first
                // operand); its other consumers then add into it: t has four, s is added to itself
                of("gradients handed over: relu, batch_norm, add with several consumers", in -> {
                    Tensor t = Arithmetic.mul(in[0], 1.5);
                    Tensor r = Functional.relu(t);
                    Tensor b = Functional.batchNorm(t, null, null, in[1], in[2], true, 0.1, 1e-5);
                    Tensor s = Arithmetic.add(r, b);
                    Tensor u = Arithmetic.add(s, s);
                    Tensor only = Arithmetic.add(Functional.batchNorm(Arithmetic.mul(in[0], 0.5), null, null, in[1], in[2], true, 0.1,
                            1e-5), Functional.relu(Arithmetic.mul(in[0], -1.0)));   // sole consumers: in place
                    return Arithmetic.add(Arithmetic.add(Arithmetic.add(u, t), Functional.relu(Arithmetic.add(t, b))), only);
                }, randn(2, 3, 2, 2), randn(3), randn(3)));
    }

    /** Runs a convolution with tiles of {@code floats} patch-matrix entries (the backward keeps the forward's tiles). */
    static Tensor tiled(long floats, java.util.function.Supplier<Tensor> conv) {
        long[] before = Convolution.tiling;
        Convolution.tiling = new long[] {floats, 1, 0};
        try {
            return conv.get();
        } finally {
            Convolution.tiling = before;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(GradCheck.Case c) {
        GradCheck.check(c);
    }

    @Test
    void aWrongGradientFails() {
        // x * 2 whose backward claims 3: the check must notice.
        GradCheck.Case wrong = of("wrong", in -> {
            float[] x = in[0].data();
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) y[i] = 2 * x[i];
            return Tensor.result(y, in[0].shapeView(), g -> {
                float[] dx = in[0].gradBuffer();
                for (int i = 0; i < g.length; i++) dx[i] += 3 * g[i];
            }, in[0]);
        }, randn(4));
        assertThatThrownBy(() -> GradCheck.check(wrong)).isInstanceOf(AssertionError.class).hasMessageContaining("differ");
    }

    @Test
    void aGradientMissingAFewPercentFails() {
        // exp whose backward is 0.95 of the truth
        GradCheck.Case wrong = of("slightly wrong", in -> {
            Tensor y = Arithmetic.exp(in[0]);
            float[] x = in[0].data();
            return Tensor.result(y.data(), y.shapeView(), g -> {
                float[] dx = in[0].gradBuffer();
                for (int i = 0; i < g.length; i++) dx[i] += 0.95f * g[i] * (float) Math.exp(x[i]);
            }, in[0]);
        }, randn(4));
        assertThatThrownBy(() -> GradCheck.check(wrong)).isInstanceOf(AssertionError.class);
    }
}
