package dev.maskseg.engine.backend;

import java.util.Locale;

/**
 * How a device backend (aparapi, tornado) ranks against the jvm backend ({@link #JVM}), so that the device decides the
 * default: on a GPU or another accelerator it ranks above, on an OpenCL CPU driver (PoCL) below, since there the jvm
 * backend's Vector API kernels are faster than OpenCL C compiled for the same cores. A backend adds its own small
 * preference to break a tie between two device backends on the same kind of device.
 */
public final class DeviceRank {
    /** The jvm backend's rank. */
    public static final int JVM = 100;
    public static final int GPU = 200, ACCELERATOR = 150, CPU = 50;
    /** A backend without a usable device. */
    public static final int NONE = 0;

    private DeviceRank() {}

    /** The rank of a device type as OpenCL or TornadoVM name it (GPU, ACCELERATOR/ACC/FPGA, CPU; anything else as CPU). */
    public static int of(String deviceType) {
        return switch (deviceType == null ? "" : deviceType.toUpperCase(Locale.ROOT)) {
            case "GPU" -> GPU;
            case "ACCELERATOR", "ACC", "FPGA" -> ACCELERATOR;
            default -> CPU;
        };
    }

    /** Why a backend on that device ranks where it does, for {@code maskseg backends}. */
    public static String reason(String deviceType, String deviceName) {
        int r = of(deviceType);
        return r > JVM
                ? deviceType + " " + deviceName + ": a GPU or accelerator ranks above the jvm backend"
                : deviceType + " " + deviceName + ": an OpenCL CPU device ranks below the jvm backend (same cores, slower kernels)";
    }
}
