package dev.maskseg.engine.aparapi;

import com.aparapi.device.OpenCLDevice;
import com.google.auto.service.AutoService;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.DeviceRank;

/**
 * The aparapi backend ranks by its OpenCL device ({@link DeviceRank}): above the jvm backend on a GPU, so that it is the
 * default there, and below it on a CPU driver such as PoCL ({@code --backend aparapi} selects it). It is available
 * when an OpenCL device is found, or when the user explicitly accepts Aparapi's Java thread-pool fallback.
 */
@AutoService(BackendProvider.class)
public final class AparapiBackendProvider implements BackendProvider {
    public static final String ALLOW_FALLBACK = "maskseg.aparapi.allowJavaFallback";
    static final String DEVICE = "maskseg.aparapi.device";
    static final String MAX_MEMORY_MB = "maskseg.aparapi.maxMemoryMB";

    @Override public String name() { return AparapiBackend.NAME; }

    @Override public int rank() {
        OpenCLDevice d = defaultDevice();
        return d == null ? DeviceRank.NONE : DeviceRank.of(d.getType().name());
    }

    @Override public String rankReason() {
        OpenCLDevice d = defaultDevice();
        return d == null ? "" : DeviceRank.reason(d.getType().name(), d.getName());
    }

    /** The device a default instance runs on, or null when there is none (or -Dmaskseg.aparapi.device matches none). */
    private static OpenCLDevice defaultDevice() {
        try {
            return DeviceInfo.choose(System.getProperty(DEVICE));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean allowFallback() { return Boolean.getBoolean(ALLOW_FALLBACK); }

    @Override public boolean isAvailable() { return allowFallback() || !DeviceInfo.devices().isEmpty(); }

    @Override public String unavailableReason() {
        String why = DeviceInfo.lastError.isEmpty() ? "" : " [" + DeviceInfo.lastError + "]";
        return "no OpenCL device found (install an OpenCL driver, e.g. Debian's pocl-opencl-icd, and check clinfo)" + why;
    }

    @Override public boolean choosesDevice() { return true; }

    /** On options.device(), or by default the device named by -Dmaskseg.aparapi.device, else the best one. */
    @Override public Backend create(BackendOptions options) {
        OpenCLDevice dev = DeviceInfo.choose(options.device() != null ? options.device() : System.getProperty(DEVICE));
        if (dev == null && !allowFallback()) throw new IllegalStateException("aparapi: " + unavailableReason());
        long max = dev == null ? 1L << 30 : Math.min(dev.getMaxMemAllocSize(), dev.getGlobalMemSize());
        long limitMb = Long.getLong(MAX_MEMORY_MB, 0L);
        if (limitMb > 0) max = Math.min(max, limitMb << 20);
        return new AparapiBackend(dev, allowFallback(), max);
    }
}
