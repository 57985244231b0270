package dev.maskseg.cli;

import dev.maskseg.bench.BenchRuns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code maskseg bench kernels|models}: argument parsing for the bench module's {@link BenchRuns}. */
@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Kernels.class, BenchCommand.ModelsBench.class, BenchCommand.TrainBench.class})
final class BenchCommand {
    /** Options shared by the bench subcommands. */
    static final class Options {
        @Option(names = "--json", required = true, description = "Where to write the JSON records.")
        Path json;

        @Option(names = "--quick", description = "Shorter timing windows, fewer repetitions.")
        boolean quick;

        @Option(names = "--no-peers", description = "Skip the peers (PyTorch, numpy/OpenBLAS; ONNX Runtime Java and DJL when bench-jvm-peers is built).")
        boolean noPeers;

        @Option(names = "--peers-script", description = "Peer script (default: bench/peers.py next to the launcher).")
        Path peersScript;

        @Option(names = "--threads", split = ",", paramLabel = "N", description = "Thread counts to time (default: 1 and every core).")
        java.util.List<Integer> threads = new java.util.ArrayList<>();

        BenchRuns.Settings settings(List<String> cases, int rounds) {
            return new BenchRuns.Settings(json, quick, !noPeers, peersScript, false, threads, cases, false, rounds);
        }
    }

    /** Options of bench kernels and models: timing ours and the peers in turn. */
    static final class RoundOptions {
        @Option(names = "--rounds", paramLabel = "N", defaultValue = "1", description = "Time ours, then the peers, N times in turn, "
                + "so that both meet the same quiet and busy stretches of a shared machine; the table shows each one's median over "
                + "the rounds, the JSON every round's record (field round). Default: ${DEFAULT-VALUE}.")
        int rounds = 1;
    }

    /** Options of bench train only. */
    static final class TrainOptions {
        @Option(names = "--profile", description = "Also print, for the one-thread runs, the CPU time of every backend op (stderr).")
        boolean profile;

        @Option(names = "--cases", split = ",", paramLabel = "ID", description = "Only these steps: maskcontrast-step, maskdistill-step.")
        java.util.List<String> cases = new java.util.ArrayList<>();

        @Option(names = "--min-heap", description = "Also find the smallest -Xmx each step runs in (child JVMs, bisection; minutes).")
        boolean minHeap;

        BenchRuns.Settings settings(Options o) {
            return new BenchRuns.Settings(o.json, o.quick, !o.noPeers, o.peersScript, profile, o.threads, cases, minHeap, 1);
        }
    }

    @Command(name = "kernels", description = "Time the engine's kernels on every usable backend (jvm with 1 thread and all cores; "
            + "aparapi and tornado on their OpenCL devices; --backend NAME for one), next to PyTorch CPU and OpenBLAS (numpy) "
            + "measured in the same run when python3 has them; prints a table and writes JSON.")
    static final class Kernels implements Callable<Integer> {
        @Mixin
        Options o;

        @Mixin
        RoundOptions r;

        @Override
        public Integer call() throws Exception {
            BenchRuns.kernels(Main.requestedBackend(), o.settings(List.of(), r.rounds));
            return 0;
        }
    }

    @Command(name = "models", description = "Time ViT-S/16 forward (batch 1 and 8) and ResNet-50 forward, each eager and frozen for inference "
            + "(the *-frozen rows), and DeepLab-v3 forward+backward (321x321, batch 2) on every usable backend (jvm with 1 thread and all cores; aparapi and tornado on their devices; "
            + "--backend NAME for one), next to libtorch CPU (PyTorch) measured in the same run; prints a table and writes JSON.")
    static final class ModelsBench implements Callable<Integer> {
        @Mixin
        Options o;

        @Mixin
        RoundOptions r;

        @Option(names = "--cases", split = ",", paramLabel = "ID", description = "Only these cases (ours and the peers'): vit-s16-batch1, "
                + "vit-s16-batch1-frozen, vit-s16-batch8, vit-s16-batch8-frozen, resnet50, resnet50-frozen, deeplabv3-train.")
        java.util.List<String> cases = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            BenchRuns.models(Main.requestedBackend(), o.settings(cases, r.rounds));
            return 0;
        }
    }

    @Command(name = "train", description = "Time one MaskContrast training step (DeepLab-v3 ResNet-50 query and momentum key "
            + "encoders, batch 2 at 224x224) and one MaskDistill step (DeepLab-v3, hard-pixel cross-entropy, batch 2 at 321x321): "
            + "forward, backward and the SGD update, with 1 thread and all cores, and the memory of a step; next to the same "
            + "steps in PyTorch measured in the same run; prints a table and writes JSON.")
    static final class TrainBench implements Callable<Integer> {
        @Mixin
        Options o;

        @Mixin
        TrainOptions t;

        @Override
        public Integer call() throws Exception {
            BenchRuns.train(t.settings(o));
            return 0;
        }
    }
}
