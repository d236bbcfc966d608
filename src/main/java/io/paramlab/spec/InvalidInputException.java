package io.paramlab.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * A request that is malformed or invalid (400), with the fields at fault: the first
 * {@link #MAX_ERRORS} of them, and how many there were in all.
 */
public class InvalidInputException extends RuntimeException {
    /** A list of N bad items answers at most this many entries, so the answer stays small whatever N is. */
    public static final int MAX_ERRORS = 100;
    private final List<FieldError> errors;
    private final int errorsTotal;

    public InvalidInputException(List<FieldError> errors) {
        super(errors.isEmpty() ? "invalid request" : errors.get(0).field() + ": " + errors.get(0).message());
        this.errors = List.copyOf(errors.size() > MAX_ERRORS ? errors.subList(0, MAX_ERRORS) : errors);
        this.errorsTotal = errors instanceof Collector collector ? collector.total : errors.size();
    }

    public InvalidInputException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    /** Where a parser collects its errors: it keeps the first {@link #MAX_ERRORS} and counts the rest. */
    public static List<FieldError> collector() {
        return new Collector();
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** How many errors there were; more than {@code errors().size()} when the list was cut. */
    public int errorsTotal() {
        return errorsTotal;
    }

    private static final class Collector extends ArrayList<FieldError> {
        private int total;

        @Override
        public boolean add(FieldError error) {
            total++;
            return size() < MAX_ERRORS && super.add(error);
        }

        @Override
        public boolean isEmpty() {
            return total == 0;
        }

        /** Each through {@link #add}: ArrayList's own addAll bypassed it, so errors added so were not counted and isEmpty() said none. */
        @Override
        public boolean addAll(java.util.Collection<? extends FieldError> errors) {
            boolean changed = false;
            for (FieldError error : errors) {
                changed |= add(error);
            }
            return changed;
        }
    }
}
