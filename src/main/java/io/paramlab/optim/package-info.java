/**
 * torch.optim of PyTorch 1.13, its single-tensor numbers float for float: {@link io.paramlab.optim.OptimizerSetup}
 * (an optimizer and its scheduler from the API's spec, and what {@code GET .../optimizer} answers),
 * {@link io.paramlab.optim.Optimizer} ({@link io.paramlab.optim.SGD}, {@link io.paramlab.optim.Adam},
 * {@link io.paramlab.optim.AdamW}: step, zero_grad, state_dict, load_state_dict),
 * {@link io.paramlab.optim.LRScheduler} ({@link io.paramlab.optim.StepLR},
 * {@link io.paramlab.optim.ExponentialLR}, {@link io.paramlab.optim.CosineAnnealingLR}),
 * {@link io.paramlab.optim.DataLoaderOrder} (the batches a seeded DataLoader draws) and
 * {@link io.paramlab.optim.OptimizerException}. No Spring, no Jackson: plain maps in and out.
 */
package io.paramlab.optim;
