/**
 * The tensor engine: {@link io.paramlab.tensor.Tensor} (float32, int64 or bool, its
 * {@link io.paramlab.tensor.Dtype}; reverse-mode autograd on float32), the ops with their
 * gradients ({@link io.paramlab.tensor.Arithmetic}, {@link io.paramlab.tensor.Reductions},
 * {@link io.paramlab.tensor.ShapeOps}, {@link io.paramlab.tensor.Indexing},
 * {@link io.paramlab.tensor.MatMul}, {@link io.paramlab.tensor.Functional},
 * {@link io.paramlab.tensor.Losses}), {@link io.paramlab.tensor.GradMode} (no_grad),
 * {@link io.paramlab.tensor.Blas} (sgemm through dev.ludovic.netlib),
 * {@link io.paramlab.tensor.Generator} (PyTorch's CPU generator) and
 * {@link io.paramlab.tensor.ShapeException}.
 * No Spring here: this package could be lifted into another program.
 */
package io.paramlab.tensor;
