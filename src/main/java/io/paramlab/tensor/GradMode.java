package io.paramlab.tensor;

/** {@code torch.no_grad()} for the current thread: ops inside record no graph. */
public final class GradMode {
    private static final ThreadLocal<boolean[]> DISABLED = ThreadLocal.withInitial(() -> new boolean[1]);

    private GradMode() {
    }

    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    public static Scope noGrad() {
        boolean[] disabled = DISABLED.get();
        boolean before = disabled[0];
        disabled[0] = true;
        return () -> disabled[0] = before;
    }

    public static boolean isEnabled() {
        return !DISABLED.get()[0];
    }
}
