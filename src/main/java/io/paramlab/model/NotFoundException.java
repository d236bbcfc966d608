package io.paramlab.model;

/** An unknown model, module or parameter (404). */
public class NotFoundException extends RuntimeException {
    private final String resource;

    public NotFoundException(String resource, String message) {
        super(message);
        this.resource = resource;
    }

    /** What was not found: "model", "module" or "parameter". */
    public String resource() {
        return resource;
    }
}
