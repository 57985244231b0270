package dev.maskseg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Prints the bench tables: each of our timings with its ratio to the fastest peer measured at the same case and thread
 * count (named in the table), then to every peer; then the peers' own rows with what they ran. A ratio above 1 means
 * we are faster.
 */
final class Table {
    private Table() {}

    /** One row's fields, whatever the kind. */
    private record Row(String caseKey, String label, String backend, int threads, double ms, double cpuMs, String extra, Map<String, Object> peer) {}

    static void printKernels(List<KernelBench.Record> records) {
        print(records.stream().map(r -> new Row(r.caseKey(), String.format("%-10s %-24s", r.kernel(), r.shape()), r.backend(), r.threads(),
                r.ms(), r.cpuMs(), r.gflops() > 0 ? String.format("%.1f", r.gflops()) : "-", r.peer())).toList(),
                String.format("%-10s %-24s", "kernel", "shape"), "GFLOP/s");
    }

    static void printModels(List<ModelBench.Record> records) {
        print(records.stream().map(r -> new Row(r.caseKey(), String.format("%-20s %-12s %-17s", r.model(), r.shape(), r.mode()), r.backend(),
                r.threads(), r.ms(), r.cpuMs(), String.format("%.2f", r.imagesPerSecond()), r.peer())).toList(),
                String.format("%-20s %-12s %-17s", "model", "shape", "mode"), "img/s");
    }

    static void printTrain(List<TrainBench.Record> records) {
        print(records.stream().map(r -> new Row(r.caseKey(), String.format("%-22s %-12s", r.model(), r.shape()), r.backend(),
                r.threads(), r.ms(), r.cpuMs(), String.format("%.0f", r.peakMb()), r.peer())).toList(),
                String.format("%-22s %-12s", "model (train step)", "shape"), "peak MB");
        // memory: ours against each peer's resident-set peak, same case and thread count
        for (TrainBench.Record r : records) {
            if (r.peer() != null) continue;
            for (TrainBench.Record p : records) {
                if (p.peer() != null && p.caseKey().equals(r.caseKey()) && p.threads() == r.threads()) {
                    System.out.printf("memory %-22s %s %d thread(s): %.0f MB, %s %.0f MB (%.2fx) %s%n", r.model(), r.backend(), r.threads(),
                            r.peakMb(), p.backend(), p.peakMb(), p.peakMb() / r.peakMb(), r.memory());
                }
            }
        }
    }

    private static void print(List<Row> rows, String caseHeader, String extraHeader) {
        TreeSet<String> peers = new TreeSet<>();
        for (Row r : rows) if (r.peer() != null) peers.add(r.backend());
        StringBuilder head = new StringBuilder(String.format("%s %-12s %7s %10s %10s %9s %9s %-14s", caseHeader, "backend", "threads", "ms",
                "cpu ms", extraHeader, "vs best", "best peer"));
        for (String p : peers) head.append(String.format(" %12s", "vs " + p));
        System.out.println(head);
        for (Row r : rows) {
            if (r.peer() != null) continue;
            List<Row> same = new ArrayList<>();
            for (Row q : rows) if (q.peer() != null && q.caseKey().equals(r.caseKey()) && q.threads() == r.threads()) same.add(q);
            Row best = same.stream().min((a, b) -> Double.compare(a.ms(), b.ms())).orElse(null);
            StringBuilder line = new StringBuilder(String.format("%s %-12s %7s %10.3f %10.3f %9s %9s %-14s", r.label(), r.backend(), threads(r.threads()),
                    r.ms(), r.cpuMs(), r.extra(), best == null ? "-" : ratio(best, r), best == null ? "-" : best.backend()));
            for (String p : peers) {
                Row q = same.stream().filter(x -> x.backend().equals(p)).findFirst().orElse(null);
                line.append(String.format(" %12s", q == null ? "-" : ratio(q, r)));
            }
            System.out.println(line);
        }
        for (Row r : rows) {
            if (r.peer() == null) continue;
            System.out.printf("%s %-12s %7s %10.3f %10.3f %9s   %s%n", r.label(), r.backend(), threads(r.threads()), r.ms(), r.cpuMs(), r.extra(),
                    describe(r.peer()));
        }
    }

    private static String ratio(Row peer, Row ours) { return String.format("%.2fx", peer.ms() / ours.ms()); }

    private static String describe(Map<String, Object> peer) {
        Function<String, String> f = k -> peer.get(k) == null ? "" : String.valueOf(peer.get(k));
        return (f.apply("version") + " " + f.apply("blas")).trim();
    }

    /** Accelerator backends record 0 threads: their parallelism is the device's. */
    private static String threads(int t) { return t == 0 ? "device" : Integer.toString(t); }
}
