package dev.maskseg.engine.tornado;

import java.util.EnumMap;
import java.util.Map;

/**
 * Launches per kernel, and with profiling on (a backend made with it) the device time TornadoVM's profiler measured
 * for them: a kernel that ran as Java instead of on the device has no device time.
 */
final class KernelStats {
    /** One kernel's totals. */
    record Totals(long launches, long deviceNanos) {}

    private final Map<Kernel, long[]> totals = new EnumMap<>(Kernel.class);

    synchronized void count(Kernel k, long deviceNanos) {
        long[] t = totals.computeIfAbsent(k, x -> new long[2]);
        t[0]++;
        t[1] += deviceNanos;
    }

    synchronized Map<Kernel, Totals> snapshot() {
        Map<Kernel, Totals> out = new EnumMap<>(Kernel.class);
        totals.forEach((k, t) -> out.put(k, new Totals(t[0], t[1])));
        return out;
    }
}
