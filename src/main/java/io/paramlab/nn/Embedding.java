package io.paramlab.nn;

import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Sequence;
import io.paramlab.tensor.Tensor;

/**
 * {@code nn.Embedding(num_embeddings, embedding_dim, padding_idx)}: weight [num, dim] drawn from
 * N(0, 1), then the padding row zeroed, as {@code reset_parameters()} does; the lookup passes no
 * gradient to the padding row (a tied use of the weight may still give it one).
 */
public final class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx;   // normalized to [0, num), or null

    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Generator generator) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        registerParameter("weight", Tensor.parameter(new float[numEmbeddings * embeddingDim], numEmbeddings, embeddingDim));
        resetParameter("weight", generator);
    }

    @Override
    public void resetParameter(String name, Generator generator) {
        if (!name.equals("weight")) {
            super.resetParameter(name, generator);
        }
        Tensor weight = localParameters().get("weight");
        float[] w = weight.data();
        Initializer.apply(new InitPolicy.Normal(0, 1), w, weight.shape(), generator);
        if (paddingIdx != null) {
            java.util.Arrays.fill(w, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim, 0f);
        }
    }

    @Override
    protected boolean readsParametersByName() {
        return true;
    }

    @Override
    public String typeName() {
        return "Embedding";
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Sequence.embedding(input, localParameters().get("weight"), paddingIdx);
    }
}
