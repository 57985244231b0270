package dev.maskseg.engine.backend;

/**
 * How a backend instance is made. {@code threads}: host threads of a CPU backend, 0 for the backend's default (the jvm
 * backend: {@code -Dmaskseg.threads} / {@code MASKSEG_THREADS}, else every core). {@code device}: an accelerator by
 * name, null for the backend's default (the aparapi backend: {@code -Dmaskseg.aparapi.device}, else the best device).
 * An option the backend cannot honour is an error ({@link Backends#get(String, BackendOptions)}), never ignored.
 */
public record BackendOptions(int threads, String device) {
    /** Every option at the backend's default. */
    public static final BackendOptions DEFAULT = new BackendOptions(0, null);

    public BackendOptions {
        if (threads < 0) throw new IllegalArgumentException("backend options: threads must be >= 0 (0 = default), got " + threads);
        if (device != null && device.isBlank()) device = null;
    }

    public static BackendOptions threads(int threads) { return new BackendOptions(threads, null); }

    public static BackendOptions device(String device) { return new BackendOptions(0, device); }
}
