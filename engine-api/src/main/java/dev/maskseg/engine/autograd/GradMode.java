package dev.maskseg.engine.autograd;

/** Per-thread switch for graph recording; {@code try (var g = GradMode.noGrad()) { ... }}. */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get(); }

    public static Scope noGrad() { return set(false); }

    public static Scope enableGrad() { return set(true); }

    private static Scope set(boolean on) {
        boolean prev = ENABLED.get();
        ENABLED.set(on);
        return () -> ENABLED.set(prev);
    }

    /** Restores the previous mode on close. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}
