/**
 * Modules as torch.nn has them: {@link io.paramlab.nn.Module} (the tree and its walks:
 * {@code namedModules}, {@code namedParameters}, {@code namedBuffers}, {@code stateDict}, {@code apply}, {@code repr}),
 * {@link io.paramlab.nn.Sequential}, {@link io.paramlab.nn.Linear}, {@link io.paramlab.nn.LayerNorm},
 * {@link io.paramlab.nn.BatchNorm}, {@link io.paramlab.nn.Conv}, {@link io.paramlab.nn.Pool}, {@link io.paramlab.nn.GroupNorm}, {@link io.paramlab.nn.Dropout}, the parameterless
 * {@link io.paramlab.nn.Stateless} layers, {@link io.paramlab.nn.TensorData}, the plain values
 * of state dicts, and the diagnostic statistics {@link io.paramlab.nn.TensorStats} (one tensor) and
 * {@link io.paramlab.nn.ModelStats} (a module's parameters, gradients and buffers). No Spring here: this package could be lifted into another program.
 */
package io.paramlab.nn;
