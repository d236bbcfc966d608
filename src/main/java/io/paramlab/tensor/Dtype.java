package io.paramlab.tensor;

/** The dtypes a {@link Tensor} can have; only float32 takes part in autograd. */
public enum Dtype {
    FLOAT32("float32", "Float"),
    INT64("int64", "Long"),
    BOOL("bool", "Bool");

    private final String torchName;
    private final String scalarType;

    Dtype(String torchName, String scalarType) {
        this.torchName = torchName;
        this.scalarType = scalarType;
    }

    /** {@code float32}, as the API and {@code str(torch.float32)} minus the prefix name it. */
    public String torchName() {
        return torchName;
    }

    /** PyTorch's ScalarType name in its messages: {@code expected scalar type Float but found Long}. */
    public String scalarType() {
        return scalarType;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32;
    }

    /** {@code torch.float32} */
    @Override
    public String toString() {
        return "torch." + torchName;
    }
}
