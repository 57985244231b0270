package dev.maskseg.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The JSON records of bench/peer_cases.py (docs/design.md §4 fields per kind), and the process facts they carry. */
final class PeerRecords {
    private PeerRecords() {}

    static Map<String, Object> kernel(String kernel, String shape, Map<String, Object> peer, PeerTiming.Result t, double flops) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kernel", kernel);
        r.put("shape", shape);
        common(r, peer, t);
        r.put("gflops", flops > 0 ? flops / t.ms() / 1e6 : 0.0);
        r.put("peer", peer);
        return r;
    }

    static Map<String, Object> model(String model, String shape, String mode, Map<String, Object> peer, PeerTiming.Result t, int images) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("shape", shape);
        r.put("mode", mode);
        common(r, peer, t);
        r.put("images_per_second", images * 1000.0 / t.ms());
        r.put("peer", peer);
        return r;
    }

    /** peaksMb: the resident-set peak of the first and of the second step. */
    static Map<String, Object> train(String model, String shape, Map<String, Object> peer, PeerTiming.Result t, double[] peaksMb, double beforeMb) {
        Map<String, Object> r = model(model, shape, "train step", peer, t, 2);
        r.remove("peer");
        r.put("rss_peak_mb", Math.max(peaksMb[0], peaksMb[1]));
        r.put("rss_peak_first_step_mb", peaksMb[0]);
        r.put("rss_peak_second_step_mb", peaksMb[1]);
        r.put("rss_before_mb", beforeMb);
        r.put("peer", peer);
        return r;
    }

    private static void common(Map<String, Object> r, Map<String, Object> peer, PeerTiming.Result t) {
        r.put("backend", peer.get("name"));
        r.put("threads", peer.get("threads"));
        r.put("ms", t.ms());
        r.put("cpu_ms", t.cpuMs());
    }

    /** name, version, threads and the threading variables of this process; the caller adds what else it ran. */
    static Map<String, Object> peer(String name, String version, int threads) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("version", version);
        p.put("threads", threads);
        Map<String, String> env = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("OMP_") || k.startsWith("KMP_") || k.startsWith("MKL_") || k.startsWith("GOMP_")) env.put(k, v);
        });
        p.put("env", env);
        p.put("jvm", Runtime.version().toString());
        return p;
    }

    /** A /proc/self/status field in MiB (VmRSS, VmHWM), 0 where there is none. */
    static double statusMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) return Long.parseLong(line.split("\\s+")[1]) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** Resets VmHWM to the current RSS (Linux clear_refs 5); false where the kernel does not allow it. */
    static boolean resetRssPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
