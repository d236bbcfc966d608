package io.paramlab.model;

/** The caller may not do this (403): its role is too low, or the resource belongs to another owner. */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
