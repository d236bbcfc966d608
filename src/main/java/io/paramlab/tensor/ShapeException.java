package io.paramlab.tensor;

/** Input that is well-formed but not computable, worded as PyTorch words it, with the numbers. */
public class ShapeException extends RuntimeException {
    private String node;

    public ShapeException(String message) {
        super(message);
    }

    /**
     * Notes that the failure happened while running the graph node {@code name}: called by each
     * graph's interpreter on the way out, so a failure inside a nested graph reads from the outer
     * node in: {@code block/add}. The message stays PyTorch's.
     */
    public ShapeException inNode(String name) {
        node = node == null ? name : name + "/" + node;
        return this;
    }

    /** The graph nodes the failure happened in, outermost first, separated by "/"; null outside a graph. */
    public String node() {
        return node;
    }
}
