package dev.maskseg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads by kind, from /proc/self/task (Linux; empty elsewhere): the compute threads (the
 * caller and the backend's pool), the garbage collector's, the JIT compilers' and the rest. A step's process CPU time
 * also pays for collection and compilation, which run beside the computation; this says how much.
 */
final class ThreadCpu {
    private static final double TICK_MS = 10.0;   // USER_HZ = 100 on Linux

    private ThreadCpu() {}

    static Map<String, Double> snapshotMs() {
        Map<String, Double> out = new LinkedHashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) return out;
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) list::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(stat.indexOf('(') + 1, close);
                    String[] f = stat.substring(close + 2).split(" ");
                    double ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_MS;   // utime, stime
                    out.merge(kind(name), ms, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we read
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    static String kind(String name) {
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.contains("GC")) return "gc";
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) return "jit";   // /proc truncates names to 15 chars
        if (name.startsWith("maskseg-jvm") || name.equals("java") || name.equals("main")) return "compute";
        return "other";
    }

    /** after − before, per kind. */
    static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after, int steps) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.forEach((k, v) -> out.put(k, (v - before.getOrDefault(k, 0.0)) / steps));
        return out;
    }
}
