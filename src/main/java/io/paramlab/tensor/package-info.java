/**
 * The tensor engine: {@link io.paramlab.tensor.Tensor} (float32, reverse-mode autograd),
 * {@link io.paramlab.tensor.Functional} and {@link io.paramlab.tensor.Losses} (ops with their
 * gradients), {@link io.paramlab.tensor.GradMode} (no_grad), {@link io.paramlab.tensor.Blas}
 * (sgemm through dev.ludovic.netlib), {@link io.paramlab.tensor.Generator} (PyTorch's CPU
 * generator), {@link io.paramlab.tensor.LongTensor} and {@link io.paramlab.tensor.ShapeException}.
 * No Spring here: this package could be lifted into another program.
 */
package io.paramlab.tensor;
