package dev.maskseg.engine.backend;

/** Service-provider entry point: register implementations with {@code @AutoService(BackendProvider.class)}. */
public interface BackendProvider {
    String name();

    /** Higher wins when no backend is forced. Device backends rank by their device ({@link DeviceRank}). */
    int rank();

    /** Why the provider has its rank (its device, for a device backend), for {@code maskseg backends}; may be empty. */
    default String rankReason() { return ""; }

    boolean isAvailable();

    /** Why the backend is unavailable, for error messages and {@code maskseg backends}. */
    default String unavailableReason() { return ""; }

    /** The most host threads an instance can compute with ({@link BackendOptions#threads}); 0 for a device backend. */
    default int maxThreads() { return 0; }

    /** Whether {@link BackendOptions#device} chooses among devices. */
    default boolean choosesDevice() { return false; }

    /**
     * A new backend instance; {@link Backends} creates one per name and options, on first use, after checking the
     * options against {@link #maxThreads()} and {@link #choosesDevice()}.
     */
    Backend create(BackendOptions options);
}
