package io.paramlab.nn;

import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

/**
 * {@code nn.ModuleList} and {@code nn.ModuleDict} (or a subclass by {@code className}): named
 * children with no forward of their own, which a graph calls one by one.
 */
public final class Container extends ChildList<Container> {
    public Container(String className, int version) {
        super(className, version);
    }

    @Override
    public Tensor forward(Tensor input) {
        throw missingForward(typeName());
    }

    @Override
    public Object forward(java.util.List<Object> args, java.util.Map<String, Object> kwargs) {
        throw missingForward(typeName());
    }

    /** PyTorch's {@code _forward_unimplemented}. */
    public static ShapeException missingForward(String className) {
        return new ShapeException("Module [" + className + "] is missing the required \"forward\" function");
    }
}
