package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.jvm.JvmBackend;
import dev.maskseg.engine.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Kernels.class})
final class BenchCommand {

    @Command(name = "kernels", description = "Time the engine's kernels with 1 thread and all cores, next to PyTorch CPU and "
            + "OpenBLAS (numpy) measured in the same run when python3 has them; prints a table and writes JSON.")
    static final class Kernels implements Callable<Integer> {
        @Option(names = "--json", required = true, description = "Where to write the JSON records.")
        Path json;

        @Option(names = "--quick", description = "Shorter timing windows.")
        boolean quick;

        @Option(names = "--no-peers", description = "Skip the PyTorch / numpy peers.")
        boolean noPeers;

        @Option(names = "--peers-script", description = "Peer script (default: bench/peers.py next to the launcher).")
        Path peersScript;

        @ParentCommand
        BenchCommand parent;

        @Override
        public Integer call() throws Exception {
            int cores = Runtime.getRuntime().availableProcessors();
            List<KernelBench.Record> records = new ArrayList<>();
            String forced = Backends.requestedName();
            List<String> names = new ArrayList<>();
            for (BackendProvider p : Backends.providers()) {
                if (!p.isAvailable() || p.name().equals("reference")) continue;
                if (forced == null || forced.equals(p.name())) names.add(p.name());
            }
            if (names.isEmpty()) names.add(Backends.defaultBackend().name());
            for (String name : names) {
                for (int threads : cores > 1 ? new int[]{1, cores} : new int[]{1}) {
                    Backend be = name.equals(JvmBackend.NAME) ? new JvmBackend(threads) : Backends.get(name);
                    System.err.println("benchmarking " + name + " with " + threads + " thread(s)...");
                    records.addAll(KernelBench.run(be, threads, quick));
                    if (!name.equals(JvmBackend.NAME)) break;
                }
            }
            List<KernelBench.Record> peers = noPeers ? List.of() : Peers.measure(peersScript, quick);
            records.addAll(peers);
            Table.print(records);
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            AtomicFiles.write(json, out -> om.writeValue(out, records));
            System.out.println("wrote " + json);
            return 0;
        }
    }
}
