package dev.maskseg.engine.backend;

/**
 * How a backend instance is made. {@code threads}: host threads of a CPU backend, 0 for the backend's default (the jvm
 * backend: {@code -Dmaskseg.threads} / {@code MASKSEG_THREADS}, else every core). {@code device}: an accelerator by
 * name, null for the backend's default (the aparapi backend: {@code -Dmaskseg.aparapi.device}, else the best device).
 * A backend given an option it cannot honour refuses it ({@link #require}) instead of ignoring it.
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

    /**
     * Throws, naming the backend and the option, when the backend cannot honour an option: more threads than
     * maxThreads (0 for a backend whose parallelism is its device's), or a device when it has none to choose.
     */
    public void require(String backend, int maxThreads, boolean takesDevice) {
        if (threads > maxThreads) {
            throw new IllegalArgumentException("backend " + backend + (maxThreads == 0
                    ? " computes on its device and has no thread count (threads=" + threads + ")"
                    : " computes with at most " + maxThreads + " thread(s) (threads=" + threads + ")"));
        }
        if (device != null && !takesDevice) {
            throw new IllegalArgumentException("backend " + backend + " has no device to choose (device=" + device + ")");
        }
    }
}
