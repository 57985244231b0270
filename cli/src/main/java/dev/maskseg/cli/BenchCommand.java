package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Kernels.class, BenchCommand.ModelsBench.class})
final class BenchCommand {
    /** Options shared by the bench subcommands. */
    static final class Options {
        @Option(names = "--json", required = true, description = "Where to write the JSON records.")
        Path json;

        @Option(names = "--quick", description = "Shorter timing windows, fewer repetitions.")
        boolean quick;

        @Option(names = "--no-peers", description = "Skip the peers (PyTorch, numpy/OpenBLAS).")
        boolean noPeers;

        @Option(names = "--peers-script", description = "Peer script (default: bench/peers.py next to the launcher).")
        Path peersScript;
    }

    @Command(name = "kernels", description = "Time the engine's kernels on every usable backend (jvm with 1 thread and all cores; "
            + "aparapi on its OpenCL device; --backend NAME for one), next to PyTorch CPU and OpenBLAS (numpy) measured in the "
            + "same run when python3 has them; prints a table and writes JSON.")
    static final class Kernels implements Callable<Integer> {
        @Mixin
        Options o;

        @Override
        public Integer call() throws Exception {
            int cores = Runtime.getRuntime().availableProcessors();
            List<KernelBench.Record> records = new ArrayList<>();
            String forced = Main.requestedBackend();
            List<String> names = new ArrayList<>();
            for (BackendProvider p : Backends.providers()) {
                if (!p.isAvailable() || p.name().equals("reference")) continue;
                if (forced == null || forced.equals(p.name())) names.add(p.name());
            }
            if (names.isEmpty()) names.add(Backends.defaultBackend().name());
            for (String name : names) {
                boolean host = Backends.get(name).threads() > 0;
                for (int threads : cores > 1 ? new int[]{1, cores} : new int[]{1}) {
                    Backend be = host ? Backends.get(name, BackendOptions.threads(threads)) : Backends.get(name);
                    System.err.println("benchmarking " + name + " with " + threads + " thread(s)...");
                    records.addAll(KernelBench.run(be, host ? threads : 0, o.quick));
                    if (!host) break;
                }
            }
            List<KernelBench.Record> peers = o.noPeers ? List.of() : Peers.measure(o.peersScript, o.quick);
            records.addAll(peers);
            Table.print(records);
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            AtomicFiles.write(o.json, out -> om.writeValue(out, records));
            System.out.println("wrote " + o.json);
            return 0;
        }
    }

    @Command(name = "models", description = "Time ViT-S/16 forward (batch 1 and 8), ResNet-50 forward and DeepLab-v3 forward+backward "
            + "(321x321, batch 2) with 1 thread and all cores, next to libtorch CPU (PyTorch) measured in the same run; "
            + "prints a table and writes JSON.")
    static final class ModelsBench implements Callable<Integer> {
        @Mixin
        Options o;

        @Override
        public Integer call() throws Exception {
            int cores = Runtime.getRuntime().availableProcessors();
            String name = Backends.defaultBackend().name();
            List<ModelBench.Record> records = new ArrayList<>();
            boolean host = Backends.defaultBackend().threads() > 0;
            for (int threads : cores > 1 ? new int[]{1, cores} : new int[]{1}) {
                Backend be = host ? Backends.get(name, BackendOptions.threads(threads)) : Backends.defaultBackend();
                System.err.println("benchmarking models on " + name + " with " + threads + " thread(s)...");
                records.addAll(ModelBench.run(be, threads, o.quick));
                if (!host) break;
            }
            if (!o.noPeers) records.addAll(Peers.measureModels(o.peersScript, o.quick));
            System.out.printf("%-20s %-14s %-17s %-8s %7s %10s %9s %10s%n", "model", "shape", "mode", "backend", "threads", "ms", "img/s", "vs torch");
            for (ModelBench.Record r : records) {
                ModelBench.Record peer = r.backend().equals("torch") ? null : records.stream().filter(q -> q.backend().equals("torch")
                        && q.model().equals(r.model()) && q.shape().equals(r.shape()) && q.threads() == r.threads()).findFirst().orElse(null);
                System.out.printf("%-20s %-14s %-17s %-8s %7d %10.1f %9.2f %10s%n", r.model(), r.shape(), r.mode(), r.backend(), r.threads(),
                        r.ms(), r.imagesPerSecond(), peer == null ? "-" : String.format("%.2fx", peer.ms() / r.ms()));
            }
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            AtomicFiles.write(o.json, out -> om.writeValue(out, records));
            System.out.println("wrote " + o.json);
            return 0;
        }
    }
}
