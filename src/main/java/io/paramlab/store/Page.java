package io.paramlab.store;

import java.util.List;

/** One page of a list; {@code nextCursor} is null on the last page, else the {@code afterCursor} of the next call. */
public record Page<T>(List<T> items, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }
}
