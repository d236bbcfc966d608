package io.paramlab.tensor;

/** A lazy layer's parameter used before its first forward gave it a shape, worded as PyTorch words it. */
public class UninitializedParameterException extends ShapeException {
    public UninitializedParameterException(String method) {
        super("Attempted to use an uninitialized parameter in " + method + ". This error happens when you are using a "
                + "`LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` objects. When using "
                + "LazyModules Call `forward` with a dummy batch to initialize the parameters before calling torch functions");
    }
}
