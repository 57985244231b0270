package dev.maskseg.engine.aparapi;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Finds and describes OpenCL devices; prefers a GPU, then an accelerator, then a CPU driver. */
final class DeviceInfo {
    /** Why the last device listing failed, for error messages. */
    static volatile String lastError = "";

    private DeviceInfo() {}

    private static volatile List<OpenCLDevice> found;

    /** All OpenCL devices, best first; empty when no OpenCL driver or loader is installed. Listed once per JVM. */
    static List<OpenCLDevice> devices() {
        List<OpenCLDevice> all = found;
        if (all == null) {
            all = list();
            found = all;
        }
        return all;
    }

    private static List<OpenCLDevice> list() {
        List<OpenCLDevice> all = new ArrayList<>();
        try {
            for (Device.TYPE t : new Device.TYPE[]{Device.TYPE.GPU, Device.TYPE.ACC, Device.TYPE.CPU}) {
                List<OpenCLDevice> found = OpenCLDevice.listDevices(t);
                if (found != null) all.addAll(found);
            }
        } catch (Throwable e) { // UnsatisfiedLinkError when libOpenCL or the Aparapi JNI library is missing
            lastError = e.toString();
            return List.of();
        }
        return all;
    }

    /** The device named by -Dmaskseg.aparapi.device (substring, case-insensitive) or the best one. */
    static OpenCLDevice choose(String wanted) {
        List<OpenCLDevice> all = devices();
        if (wanted == null || wanted.isBlank()) return all.isEmpty() ? null : all.getFirst();
        for (OpenCLDevice d : all) {
            if (d.getName().toLowerCase(Locale.ROOT).contains(wanted.toLowerCase(Locale.ROOT))) return d;
        }
        throw new IllegalArgumentException("aparapi: no OpenCL device matches '" + wanted + "'; found "
                + all.stream().map(OpenCLDevice::getName).toList());
    }

    static String describe(OpenCLDevice d, boolean allowJavaFallback) {
        if (d == null) return "no OpenCL device: Aparapi Java thread pool (fallback allowed by -D"
                + AparapiBackendProvider.ALLOW_FALLBACK + ")";
        return String.format(Locale.ROOT, "OpenCL %s %s (%s, %.1f GiB, %d compute units)", d.getType(), d.getName(),
                d.getOpenCLPlatform().getVendor(), d.getGlobalMemSize() / (double) (1L << 30), d.getMaxComputeUnits());
    }
}
