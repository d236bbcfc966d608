/**
 * torch.nn.init as small functions over one generator: {@link io.paramlab.init.InitPolicy} (the
 * policies, with PyTorch's defaults), {@link io.paramlab.init.Initializer} (draws them in place),
 * {@link io.paramlab.init.Fans} (fan_in, fan_out, calculate_gain), {@link io.paramlab.init.Expression}
 * (the language of custom policies, parsed by hand) and their errors. No Spring here.
 */
package io.paramlab.init;
