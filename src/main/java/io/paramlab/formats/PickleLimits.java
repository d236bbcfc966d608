package io.paramlab.formats;

/**
 * What a torch.save file may cost us before we refuse it: its bytes (the zip as read, and the
 * tensor data decoded), the pickle's size, the values it may create, the pickle machine's stack
 * and memo, and how deeply values may nest. Every bound is checked as the file is read, so a
 * hostile file fails with a {@link FormatException} instead of running out of memory or time.
 */
public record PickleLimits(long maxBytes, int maxPickleBytes, int maxObjects, int maxStack, int maxMemo, int maxDepth) {
    public static final int DEFAULT_MAX_PICKLE_BYTES = 16 << 20;
    public static final int DEFAULT_MAX_OBJECTS = 2_000_000;
    public static final int DEFAULT_MAX_STACK = 1_000_000;
    public static final int DEFAULT_MAX_MEMO = 1_000_000;
    public static final int DEFAULT_MAX_DEPTH = 64;

    /** The defaults for everything but the total size. */
    public static PickleLimits of(long maxBytes) {
        return new PickleLimits(maxBytes, DEFAULT_MAX_PICKLE_BYTES, DEFAULT_MAX_OBJECTS, DEFAULT_MAX_STACK,
                DEFAULT_MAX_MEMO, DEFAULT_MAX_DEPTH);
    }
}
