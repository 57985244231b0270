package dev.maskseg.engine.tornado;

import com.google.auto.service.AutoService;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.DeviceRank;

import java.util.List;
import java.util.function.Supplier;

/**
 * The tornado backend: available when the JVM runs with TornadoVM's flags ({@code tornado --printJavaFlags}; bin/maskseg
 * adds them when TORNADOVM_HOME is set) and TornadoVM finds a device. It ranks by its device ({@link DeviceRank}): above
 * the jvm backend on a GPU, below it on an OpenCL CPU driver such as PoCL. This class touches no TornadoVM type itself,
 * so that loading it without TornadoVM is harmless; device discovery runs once, on first need.
 */
@AutoService(BackendProvider.class)
public final class TornadoBackendProvider implements BackendProvider {
    /** Lets an op whose kernel TornadoVM cannot compile run on the host reference kernels (logged) instead of failing. */
    public static final String ALLOW_FALLBACK = "maskseg.tornado.allowJavaFallback";
    /** A device by (part of) its name; default: the first GPU, else accelerator, else TornadoVM's first device. */
    static final String DEVICE = "maskseg.tornado.device";
    /** Caps each device arena (MiB); default: the device's largest allocation and a quarter of its memory. */
    static final String MAX_MEMORY_MB = "maskseg.tornado.maxMemoryMB";
    /** Initial float32 arena (MiB; the double arena starts at a quarter of its elements); it grows on demand. */
    static final String ARENA_MB = "maskseg.tornado.arenaMB";
    /** The GEMM kernel, tiled or vector; default: tiled on a GPU or accelerator, vector on a CPU device. */
    static final String GEMM = "maskseg.tornado.gemm";
    /** TornadoVM's own switch: with it on, a kernel that fails to compile runs as Java, which for KernelContext kernels computes garbage. */
    static final String TORNADO_BAILOUT = "tornado.recover.bailout";
    /** Preference over the aparapi backend on the same kind of device. */
    private static final int PREFERENCE = 10;

    /** The devices TornadoVM found, or why there are none. */
    record Discovery(List<TornadoDevices.Info> devices, String problem) {}

    private static volatile Discovery discovered;
    private final Supplier<Discovery> discovery;

    public TornadoBackendProvider() { this(TornadoBackendProvider::discoverOnce); }

    /** With a given discovery (tests: a fake GPU). */
    TornadoBackendProvider(Supplier<Discovery> discovery) { this.discovery = discovery; }

    @Override public String name() { return TornadoBackend.NAME; }

    private static boolean allowFallback() { return Boolean.getBoolean(ALLOW_FALLBACK); }

    /** Whether the JVM was started with TornadoVM's flags, which name its runtime implementation. */
    static boolean runtimeFlagsPresent() { return System.getProperty("tornado.load.runtime.implementation") != null; }

    private static synchronized Discovery discoverOnce() {
        if (discovered != null) return discovered;
        if (!runtimeFlagsPresent()) {
            discovered = new Discovery(List.of(), "TornadoVM runtime not found: start the JVM with the flags of"
                    + " `tornado --printJavaFlags` (bin/maskseg and bin/test add them when TORNADOVM_HOME is set)");
            return discovered;
        }
        // TornadoVM reads its bailout switch once, when its runtime starts: keep failing kernels errors, not Java code
        if (System.getProperty(TORNADO_BAILOUT) == null) System.setProperty(TORNADO_BAILOUT, "false");
        try {
            List<TornadoDevices.Info> devices = TornadoDevices.discover();
            discovered = new Discovery(devices, devices.isEmpty() ? "TornadoVM found no device (check `tornado --devices`)" : "");
        } catch (Throwable e) { // LinkageError or ExceptionInInitializerError when the SDK does not start
            discovered = new Discovery(List.of(), "TornadoVM did not start: " + KernelPlan.oneLine(e));
        }
        return discovered;
    }

    @Override public boolean isAvailable() { return !discovery.get().devices().isEmpty(); }

    @Override public String unavailableReason() { return discovery.get().problem(); }

    private TornadoDevices.Info defaultDevice() {
        return TornadoDevices.choose(discovery.get().devices(), System.getProperty(DEVICE));
    }

    @Override public int rank() {
        if (!isAvailable()) return DeviceRank.NONE;
        return DeviceRank.of(defaultDevice().type()) + PREFERENCE;
    }

    @Override public String rankReason() {
        if (!isAvailable()) return "";
        TornadoDevices.Info d = defaultDevice();
        return DeviceRank.reason(d.type(), d.name());
    }

    @Override public boolean choosesDevice() { return true; }

    /** On options.device(), or by default the device named by -Dmaskseg.tornado.device, else the best one. */
    @Override public Backend create(BackendOptions options) {
        if (!isAvailable()) throw new IllegalStateException("tornado: " + unavailableReason());
        if (Boolean.parseBoolean(System.getProperty(TORNADO_BAILOUT, "false"))) {
            throw new IllegalStateException("tornado: -D" + TORNADO_BAILOUT + "=true lets TornadoVM run a kernel that failed"
                    + " to compile as Java, which computes wrong results for these kernels; remove it (-D" + ALLOW_FALLBACK
                    + "=true runs such ops on the host reference kernels instead)");
        }
        TornadoDevices.Info d = TornadoDevices.choose(discovery.get().devices(),
                options.device() != null ? options.device() : System.getProperty(DEVICE));
        return TornadoBackend.create(d, settings(d, false));
    }

    /** The settings of a backend on that device, from the system properties; `profile` records device kernel times. */
    static TornadoBackend.Settings settings(TornadoDevices.Info d, boolean profile) {
        long max = Math.min(d.maxAlloc(), d.globalMemory() / 4);
        long limitMb = Long.getLong(MAX_MEMORY_MB, 0L);
        if (limitMb > 0) max = Math.min(max, limitMb << 20);
        long arenaBytes = Math.min(max, Long.getLong(ARENA_MB, 64L) << 20);
        int floats = (int) Math.min(arenaBytes / Float.BYTES, Integer.MAX_VALUE / 2);
        String gemm = System.getProperty(GEMM, d.type().equals("CPU") ? "vector" : "tiled");
        TornadoLinAlg.Gemm kernel = switch (gemm.toLowerCase(java.util.Locale.ROOT)) {
            case "tiled" -> TornadoLinAlg.Gemm.TILED;
            case "vector" -> TornadoLinAlg.Gemm.VECTOR;
            default -> throw new IllegalArgumentException("tornado: -D" + GEMM + "=" + gemm + ": expected tiled or vector");
        };
        int reductionGroup = d.type().equals("CPU") ? 16 : 128;
        return new TornadoBackend.Settings(floats, Math.max(1 << 16, floats / 4), max, allowFallback(), profile, kernel, reductionGroup);
    }
}
