package dev.maskseg.bench;

import java.util.List;

/** Prints the bench tables: our timings with the ratio to each peer measured at the same case and thread count. */
final class Table {
    private static final List<String> PEERS = List.of("torch", "openblas");

    private Table() {}

    static void printKernels(List<KernelBench.Record> records) {
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

    static void printModels(List<ModelBench.Record> records) {
        System.out.printf("%-20s %-14s %-17s %-8s %7s %10s %9s %10s%n", "model", "shape", "mode", "backend", "threads", "ms", "img/s", "vs torch");
        for (ModelBench.Record r : records) {
            ModelBench.Record peer = r.backend().equals("torch") ? null : records.stream().filter(q -> q.backend().equals("torch")
                    && q.model().equals(r.model()) && q.shape().equals(r.shape()) && q.threads() == r.threads()).findFirst().orElse(null);
            System.out.printf("%-20s %-14s %-17s %-8s %7d %10.1f %9.2f %10s%n", r.model(), r.shape(), r.mode(), r.backend(), r.threads(),
                    r.ms(), r.imagesPerSecond(), peer == null ? "-" : String.format("%.2fx", peer.ms() / r.ms()));
        }
    }

    /** Accelerator backends record 0 threads: their parallelism is the device's. */
    private static String threads(KernelBench.Record r) { return r.threads() == 0 ? "device" : Integer.toString(r.threads()); }
}
