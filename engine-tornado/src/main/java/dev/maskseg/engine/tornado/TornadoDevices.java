package dev.maskseg.engine.tornado;

import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * TornadoVM's devices through its public API only (no driver-internal classes): name, platform, driver, type,
 * memory, compute units. Touching this class starts the TornadoVM runtime, so callers check first that the JVM runs
 * with TornadoVM's flags ({@link TornadoBackendProvider}).
 */
final class TornadoDevices {
    private TornadoDevices() {}

    /** One device as {@code maskseg backends} shows it; backend and index locate it in TornadoVM's device map. */
    record Info(int backend, int index, String api, String name, String platform, String driver, String type,
                long globalMemory, long maxAlloc, int computeUnits) {
        boolean isGpu() { return type.equals("GPU"); }

        String describe() {
            return String.format(Locale.ROOT, "TornadoVM %s %s %s (%s, driver %s, %.1f GiB, %d compute units)", api, type,
                    name, platform, driver, globalMemory / (double) (1L << 30), computeUnits);
        }
    }

    /** Every device of every TornadoVM backend, GPUs first, then accelerators, then the rest, in TornadoVM's order. */
    static List<Info> discover() {
        List<Info> all = new ArrayList<>();
        var backends = TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends();
        for (int b = 0; b < backends.size(); b++) {
            var be = backends.get(b);
            for (int i = 0; i < be.getNumDevices(); i++) {
                TornadoDevice d = be.getDevice(i);
                all.add(new Info(b, i, String.valueOf(be.getBackendType()), d.getPhysicalDevice().getDeviceName().trim(),
                        d.getPlatformName().trim(), driverVersion(d), String.valueOf(d.getDeviceType()),
                        d.getMaxGlobalMemory(), d.getMaxAllocMemory(), d.getPhysicalDevice().getDeviceMaxComputeUnits()));
            }
        }
        return sorted(all);
    }

    /** GPUs first, then accelerators, then the rest, each in the given order. */
    static List<Info> sorted(List<Info> devices) {
        List<Info> all = new ArrayList<>(devices);
        all.sort(Comparator.comparingInt(TornadoDevices::preference));
        return all;
    }

    private static int preference(Info d) {
        return switch (d.type()) {
            case "GPU" -> 0;
            case "ACCELERATOR", "FPGA" -> 1;
            default -> 2;
        };
    }

    /** The "Driver version" line of the OpenCL device description (the API has no getter for it). */
    private static String driverVersion(TornadoDevice d) {
        for (String line : String.valueOf(d.getDeviceInfo()).split("\n")) {
            if (line.startsWith("Driver version")) return line.substring(line.indexOf(':') + 1).trim();
        }
        return "unknown";
    }

    /** The device named by `wanted` (a case-insensitive part of its name), or the first (best) one. */
    static Info choose(List<Info> all, String wanted) {
        if (all.isEmpty()) throw new IllegalStateException("tornado: TornadoVM found no device");
        if (wanted == null || wanted.isBlank()) return all.getFirst();
        for (Info d : all) {
            if (d.name().toLowerCase(Locale.ROOT).contains(wanted.toLowerCase(Locale.ROOT))) return d;
        }
        throw new IllegalArgumentException("tornado: no TornadoVM device matches '" + wanted + "'; found "
                + all.stream().map(Info::name).toList());
    }

    static TornadoDevice device(Info d) { return TornadoExecutionPlan.getDevice(d.backend(), d.index()); }
}
