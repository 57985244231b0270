package dev.maskseg.cli;

import java.util.List;

/** Prints kernel records with our ratio to each peer measured at the same kernel, shape and threads. */
final class Table {
    private static final List<String> PEERS = List.of("torch", "openblas");

    private Table() {}

    static void print(List<KernelBench.Record> records) {
        System.out.printf("%-10s %-24s %-9s %7s %10s %9s %12s %12s%n", "kernel", "shape", "backend", "threads", "ms", "GFLOP/s",
                "vs torch", "vs openblas");
        for (KernelBench.Record r : records) {
            if (PEERS.contains(r.backend())) continue;
            StringBuilder ratios = new StringBuilder();
            for (String peer : PEERS) {
                KernelBench.Record p = records.stream().filter(q -> q.backend().equals(peer) && q.kernel().equals(r.kernel())
                        && q.shape().equals(r.shape()) && q.threads() == r.threads()).findFirst().orElse(null);
                ratios.append(String.format(" %12s", p == null ? "-" : String.format("%.2fx", p.ms() / r.ms())));
            }
            System.out.printf("%-10s %-24s %-9s %7s %10.3f %9s%s%n", r.kernel(), r.shape(), r.backend(), threads(r), r.ms(),
                    r.gflops() > 0 ? String.format("%.1f", r.gflops()) : "-", ratios);
        }
        for (KernelBench.Record r : records) {
            if (!PEERS.contains(r.backend())) continue;
            System.out.printf("%-10s %-24s %-9s %7s %10.3f %9s%n", r.kernel(), r.shape(), r.backend(), threads(r), r.ms(),
                    r.gflops() > 0 ? String.format("%.1f", r.gflops()) : "-");
        }
    }

    /** Accelerator backends record 0 threads: their parallelism is the device's. */
    private static String threads(KernelBench.Record r) { return r.threads() == 0 ? "device" : Integer.toString(r.threads()); }
}
