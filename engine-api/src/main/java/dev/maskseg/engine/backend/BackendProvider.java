package dev.maskseg.engine.backend;

/** Service-provider entry point: register implementations with {@code @AutoService(BackendProvider.class)}. */
public interface BackendProvider {
    String name();

    /** Higher wins when no backend is forced. */
    int rank();

    boolean isAvailable();

    /** Why the backend is unavailable, for error messages and {@code maskseg backends}. */
    default String unavailableReason() { return ""; }

    /**
     * A new backend instance; {@link Backends} creates one per name and options, on first use. Options the backend
     * cannot honour are an error ({@link BackendOptions#require}).
     */
    Backend create(BackendOptions options);
}
